import { Counter, createMetrics, Gauge, type Registry } from '@fortune-sidecar/common';
import type { WriterStatus } from './fortune-writer.ts';

/**
 * The writer's metrics beside the process's own, read from the writer's status when scraped:
 * the writer keeps plain counts, and a scrape costs it nothing between two scrapes. `status`
 * is undefined while the writer waits for the folder's lock: nothing written yet.
 */
export function writerMetrics(status: () => WriterStatus | undefined): Registry {
  const registry = createMetrics();
  new Counter({
    name: 'fortune_writer_writes_total',
    help: 'Fortunes written in full into the volume',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(status()?.writes ?? 0);
    },
  });
  new Counter({
    name: 'fortune_writer_failed_writes_total',
    help: 'Writes that failed and left the last fortune in place (read-only or full volume)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(status()?.failures ?? 0);
    },
  });
  new Gauge({
    name: 'fortune_writer_last_write_timestamp_seconds',
    help: 'When the last fortune was written, in seconds since the Unix epoch; 0 before the first',
    registers: [registry],
    collect() {
      const at = status()?.lastWrittenAt;
      this.set(at === undefined ? 0 : at.getTime() / 1000);
    },
  });
  return registry;
}

import type { HealthChecks } from '@fortune-sidecar/common';
import type { FortuneWriter } from './fortune-writer.ts';

/**
 * Alive while the process runs: a failing disk is not fixed by a restart, so failed writes
 * only show in readiness and in the body, never as a liveness failure.
 */
export function writerHealth(writer: FortuneWriter): HealthChecks {
  return {
    alive: () => ({ ok: true, detail: 'alive' }),
    ready: () => {
      const { writes, lastError } = writer.status();
      if (writes === 0) {
        return {
          ok: false,
          detail: lastError ? `no fortune written yet: ${lastError}` : 'no fortune written yet',
        };
      }
      return {
        ok: true,
        detail: lastError ? `last write failed: ${lastError}` : `${writes} fortunes written`,
      };
    },
  };
}

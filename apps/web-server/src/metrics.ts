import { Counter, createMetrics, Gauge, type Registry } from '@fortune-sidecar/common';
import type { StatusClassCounts } from './server.ts';
import type { CacheCounts } from './site.ts';

export interface WebServerMetricSources {
  /** Kept by the server as it writes each status (server.ts). */
  readonly responses: StatusClassCounts;
  /** Kept by the site as it answers from its cache or from the disk (site.ts). */
  readonly cache: CacheCounts;
  readonly liveStreams: () => number;
  readonly watchedFolders: () => number;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * The web server's metrics beside the process's own (process_open_fds: the descriptors in use,
 * against process_max_fds). The request path only adds to plain numbers; they become series
 * here, when Prometheus scrapes, so that counting costs the fast path no allocation and no
 * label lookup.
 */
export function webServerMetrics(sources: WebServerMetricSources): Registry {
  const registry = createMetrics();
  new Counter({
    name: 'web_server_responses_total',
    help: 'Responses written, by the class of their status (errors answered before the app included)',
    labelNames: ['class'],
    registers: [registry],
    collect() {
      this.reset();
      STATUS_CLASSES.forEach((name, index) => {
        this.inc({ class: name }, sources.responses[index + 1] ?? 0);
      });
    },
  });
  new Counter({
    name: 'web_server_cache_hits_total',
    help: 'Requests for the site answered from the cache, without waiting for the disk',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.cache.hits);
    },
  });
  new Counter({
    name: 'web_server_cache_misses_total',
    help: 'Requests for the site that waited for a lookup on disk',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.cache.misses);
    },
  });
  new Gauge({
    name: 'web_server_live_update_streams',
    help: 'Pages holding a live-update stream open',
    registers: [registry],
    collect() {
      this.set(sources.liveStreams());
    },
  });
  new Gauge({
    name: 'web_server_watched_folders',
    help: 'Folders of the served tree with an inotify watch (at most WEB_WATCH_FOLDERS)',
    registers: [registry],
    collect() {
      this.set(sources.watchedFolders());
    },
  });
  return registry;
}

import type { HealthChecks } from '@fortune-sidecar/common';
import { canOpenFiles } from './descriptor-health.ts';
import type { Site } from './site.ts';

/**
 * Alive while files can be opened. Ready once the folder has an index to serve: before the
 * writer's first fortune or git-sync's first sync, it has not.
 */
export function siteHealth(site: Site, root: string): HealthChecks {
  return {
    alive: () => canOpenFiles(),
    ready: async () => {
      const index = await site.find('/', false);
      return index.kind === 'file' || index.kind === 'large-file'
        ? { ok: true, detail: `serving ${root}` }
        : { ok: false, detail: `nothing to serve yet in ${root}` };
    },
  };
}

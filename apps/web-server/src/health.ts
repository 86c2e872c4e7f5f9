import type { HealthChecks } from '@fortune-sidecar/common';
import type { Site } from './site.ts';

/** Ready once the folder has an index to serve: before the writer's first fortune or git-sync's first sync, it has not. */
export function siteHealth(site: Site, root: string): HealthChecks {
  return {
    alive: () => ({ ok: true, detail: 'alive' }),
    ready: async () => {
      const index = await site.find('/', false);
      return index.kind === 'file' || index.kind === 'large-file'
        ? { ok: true, detail: `serving ${root}` }
        : { ok: false, detail: `nothing to serve yet in ${root}` };
    },
  };
}

import type { HealthChecks, ProbeResult } from '@fortune-sidecar/common';
import type { Site } from './site.ts';

/**
 * Alive as `alive` says (the server can still open files). Ready once the folder has an index
 * to serve: before the writer's first fortune or git-sync's first sync, it has not.
 */
export function siteHealth(site: Site, root: string, alive: () => ProbeResult): HealthChecks {
  return {
    alive,
    ready: async () => {
      const index = await site.find('/', false);
      return index.kind === 'file' || index.kind === 'large-file'
        ? { ok: true, detail: `serving ${root}` }
        : { ok: false, detail: `nothing to serve yet in ${root}` };
    },
  };
}

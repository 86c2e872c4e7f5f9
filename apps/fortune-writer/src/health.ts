import type { HealthChecks } from '@fortune-sidecar/common';
import type { FortuneWriter } from './fortune-writer.ts';

/**
 * Alive while the process runs: a failing disk is not fixed by a restart, so failed writes
 * only show in readiness and in the body, never as a liveness failure. Not ready before the
 * first fortune (there is no writer's `status` yet while the writer starts), and when the
 * schedule is behind (`behind` says why): a writer that no longer writes serves a fortune that
 * no longer changes.
 */
export function writerHealth(
  status: () => ReturnType<FortuneWriter['status']> | undefined,
  behind: () => string | undefined,
): HealthChecks {
  return {
    alive: () => ({ ok: true, detail: 'alive' }),
    ready: () => {
      const { writes, lastError } = status() ?? { writes: 0 };
      if (writes === 0) {
        return {
          ok: false,
          detail: lastError ? `no fortune written yet: ${lastError}` : 'no fortune written yet',
        };
      }
      const late = behind();
      if (late) return { ok: false, detail: `behind: ${late}` };
      return {
        ok: true,
        detail: lastError ? `last write failed: ${lastError}` : `${writes} fortunes written`,
      };
    },
  };
}

import type { HealthChecks } from '@fortune-sidecar/common';
import type { SyncStatus } from './sync-loop.ts';

/**
 * `/readyz` answers 503 until the first successful sync, then 200 with the commit: a pod that
 * serves the folder is only ready once there is something in it. `/healthz` answers 200 as long
 * as the failures in a row stay within GITSYNC_MAX_FAILURES (beyond that, git-sync exits anyway).
 * Error messages are redacted: the endpoints are not protected, and git may quote a URL.
 */
export function gitSyncHealth(
  status: () => SyncStatus,
  maxFailures: number,
  redact: (text: string) => string,
): HealthChecks {
  const lastError = (error: string | undefined) =>
    error === undefined ? '' : `, last error: ${redact(error)}`;
  return {
    alive() {
      const { failures, lastError: error } = status();
      return {
        ok: maxFailures < 0 || failures <= maxFailures,
        detail: `${failures} failed syncs in a row${lastError(error)}`,
      };
    },
    ready() {
      const { commit, lastError: error } = status();
      return commit === undefined
        ? { ok: false, detail: `not synced yet${lastError(error)}` }
        : { ok: true, detail: `synced to ${commit}` };
    },
  };
}

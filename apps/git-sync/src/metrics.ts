import { Counter, createMetrics, Gauge, type Registry, Summary } from '@fortune-sidecar/common';
import type { AttemptOutcome, SyncStatus } from './sync-loop.ts';

export interface GitSyncMetrics {
  readonly registry: Registry;
  /** For the sync loop's onAttempt. */
  attempted(outcome: AttemptOutcome, seconds: number): void;
  /** For the hook runners' onRun. */
  hookRan(name: string, status: 'success' | 'error'): void;
  /** For the sync's onFetched. */
  fetched(): void;
}

/**
 * Upstream git-sync v4's sync metrics, with its names, help texts and `status` label, so that
 * its dashboards and alerts work unchanged; then two of this git-sync's own, read from the
 * loop's status when scraped. Upstream's other metrics count what this git-sync does not do
 * (askpass, GitHub app tokens): see docs/metrics.md.
 */
export function gitSyncMetrics(status: () => SyncStatus): GitSyncMetrics {
  const registry = createMetrics();
  const duration = new Summary({
    name: 'git_sync_duration_seconds',
    help: 'Summary of git_sync durations',
    labelNames: ['status'],
    // Upstream's summary has no quantiles: only the sum and count of each status.
    percentiles: [],
    registers: [registry],
  });
  const count = new Counter({
    name: 'git_sync_count_total',
    help: 'How many git syncs completed, partitioned by state (success, error, noop)',
    labelNames: ['status'],
    registers: [registry],
  });
  const fetches = new Counter({
    name: 'git_fetch_count_total',
    help: 'How many git fetches were run',
    registers: [registry],
  });
  new Gauge({
    name: 'git_sync_failures_in_a_row',
    help: 'Failed syncs since the last successful one; git-sync exits past GITSYNC_MAX_FAILURES',
    registers: [registry],
    collect() {
      this.set(status().failures);
    },
  });
  new Gauge({
    name: 'git_sync_published_revision',
    help: 'The commit published in the link, as a label of value 1; no series before the first sync',
    labelNames: ['revision'],
    registers: [registry],
    collect() {
      // One series at a time: the revision published before this one is no longer there.
      this.reset();
      const { commit } = status();
      if (commit !== undefined) this.set({ revision: commit }, 1);
    },
  });
  const hookRuns = new Counter({
    name: 'git_sync_hook_run_count_total',
    help: 'How many hook runs completed, partitioned by name and state (success, error)',
    labelNames: ['name', 'status'],
    registers: [registry],
  });
  return {
    registry,
    fetched() {
      fetches.inc();
    },
    hookRan(name, status) {
      hookRuns.inc({ name, status });
    },
    attempted(outcome, seconds) {
      duration.observe({ status: outcome }, seconds);
      count.inc({ status: outcome });
    },
  };
}

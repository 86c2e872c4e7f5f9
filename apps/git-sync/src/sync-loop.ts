// The module object, looked up at each wait rather than bound by a named import: node:test's mock
// timers replace its setTimeout, so that the tests move the loop's clock instead of waiting for it.
import timers from 'node:timers/promises';
import { formatDuration, type Logger } from '@fortune-sidecar/common';
import type { Synced } from './sync.ts';

/** The longest wait between two attempts, however many failed. */
export const MAX_BACKOFF_MS = 5 * 60_000;

export interface SyncLoopOptions {
  readonly sync: (signal: AbortSignal) => Promise<Synced>;
  readonly periodMs: number;
  readonly syncTimeoutMs: number;
  /** Consecutive failures tolerated; one more ends the loop. -1: never give up. */
  readonly maxFailures: number;
  /** Stop after the first successful sync (an init container). */
  readonly oneTime: boolean;
  readonly log: Logger;
  /** Told of every attempt that ends, and how long it took: the metrics count them. */
  readonly onAttempt?: (outcome: AttemptOutcome, seconds: number) => void;
  /** Awaited after each successful sync, before the wait: GITSYNC_TOUCH_FILE and GITSYNC_ERROR_FILE. */
  readonly onSynced?: (changed: boolean) => Promise<void>;
  /** Awaited after each failed sync, with the error and the failures in a row. */
  readonly onFailed?: (error: string, failures: number) => Promise<void>;
}

/** Upstream git-sync's names: a sync that published a new commit, one that found it published, one that failed. */
export type AttemptOutcome = 'success' | 'noop' | 'error';

export interface SyncStatus {
  /** The commit of the last successful sync; undefined until there has been one. */
  readonly commit?: string;
  readonly failures: number;
  readonly lastError?: string;
}

export type LoopEnd = 'synced-once' | 'too-many-failures' | 'stopped';

export interface SyncLoop {
  status(): SyncStatus;
  /** Settles when the loop ends, saying why. */
  readonly done: Promise<LoopEnd>;
  /** Aborts the sync in progress and waits for the loop to end. */
  stop(): Promise<void>;
  /**
   * Ends the wait for the next sync now (GITSYNC_SYNC_ON_SIGNAL). During a sync, one more follows
   * it at once: requests are not counted, as upstream's one-place signal channel.
   */
  syncNow(): void;
}

/** Waits a period after the first failure, doubling with each further one: period × 2^(failures-1), at most 5 min. */
export function backoffDelay(periodMs: number, failures: number): number {
  return Math.min(periodMs * 2 ** (failures - 1), MAX_BACKOFF_MS);
}

/**
 * Syncs every period, each sync bounded by the sync timeout. A failed sync leaves the last good
 * commit published and is retried with exponential backoff; more consecutive failures than
 * `maxFailures` end the loop, so that Kubernetes restarts the container and shows that it fails.
 */
export function startSyncLoop(options: SyncLoopOptions): SyncLoop {
  const { periodMs, syncTimeoutMs, maxFailures, log } = options;
  const stopping = new AbortController();
  let commit: string | undefined;
  let failures = 0;
  let lastError: string | undefined;
  let waking: AbortController | undefined;
  let wakeRequested = false;

  async function attempt(): Promise<boolean> {
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(
          new Error(`the sync took longer than ${formatDuration(syncTimeoutMs)} (GITSYNC_SYNC_TIMEOUT)`),
        ),
      syncTimeoutMs,
    );
    try {
      const synced = await options.sync(AbortSignal.any([stopping.signal, timeout.signal]));
      commit = synced.commit;
      return synced.changed;
    } finally {
      clearTimeout(timer);
    }
  }

  async function run(): Promise<LoopEnd> {
    while (!stopping.signal.aborted) {
      let delay = periodMs;
      const started = performance.now();
      const took = () => (performance.now() - started) / 1000;
      try {
        const changed = await attempt();
        options.onAttempt?.(changed ? 'success' : 'noop', took());
        await options.onSynced?.(changed);
        failures = 0;
        lastError = undefined;
        if (options.oneTime) return 'synced-once';
      } catch (error) {
        if (stopping.signal.aborted) break;
        options.onAttempt?.('error', took());
        failures += 1;
        lastError = (error as Error).message;
        await options.onFailed?.(lastError, failures);
        if (maxFailures >= 0 && failures > maxFailures) {
          log.error(
            `Sync failed ${failures} times in a row, more than GITSYNC_MAX_FAILURES=${maxFailures}: giving up`,
            {
              error: lastError,
            },
          );
          return 'too-many-failures';
        }
        delay = backoffDelay(periodMs, failures);
        log.error(
          `Sync failed (${failures} in a row), keeping what is published, retrying in ${formatDuration(delay)}`,
          {
            error: lastError,
          },
        );
      }
      if (wakeRequested) {
        wakeRequested = false;
        continue;
      }
      waking = new AbortController();
      await timers
        .setTimeout(delay, undefined, { signal: AbortSignal.any([stopping.signal, waking.signal]) })
        .catch(() => {});
      waking = undefined;
    }
    return 'stopped';
  }

  const done = run();
  return {
    status: () => ({
      ...(commit === undefined ? {} : { commit }),
      failures,
      ...(lastError === undefined ? {} : { lastError }),
    }),
    done,
    syncNow() {
      if (waking) waking.abort();
      else wakeRequested = true;
    },
    async stop() {
      stopping.abort(new Error('git-sync is stopping'));
      await done;
    },
  };
}

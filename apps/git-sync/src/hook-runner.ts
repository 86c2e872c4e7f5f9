import timers from 'node:timers/promises';
import { formatDuration, type Logger } from '@fortune-sidecar/common';

/** One of upstream's hooks: `exechook` or `webhook`, told the commit just published. */
export interface Hook {
  readonly name: string;
  run(hash: string, signal: AbortSignal): Promise<void>;
}

export interface HookRunnerOptions {
  readonly hook: Hook;
  /** The wait before retrying a hook that failed. */
  readonly backoffMs: number;
  readonly log: Logger;
  /** Told of every run that ends: the metrics count them. */
  readonly onRun?: (name: string, status: 'success' | 'error') => void;
  /** Waits out the backoff; the tests give one they release, so that none waits for real time. */
  readonly wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realWait = (ms: number, signal: AbortSignal) =>
  timers.setTimeout(ms, undefined, { signal }).catch(() => {});

export interface HookRunner {
  /** Asks for the hook to run for this commit; returns at once, never waiting for the hook. */
  send(hash: string): void;
  /** Settles with the outcome of the first run that ends: a one-time sync exits with it. */
  readonly firstResult: Promise<boolean>;
  /** Aborts the run or backoff in progress and waits for the runner to end. */
  stop(): Promise<void>;
}

/**
 * Runs a hook beside the sync loop, one run at a time, as upstream's hook runner does: only the
 * latest commit matters, so a commit published while a run or its backoff is under way replaces
 * the one waiting, and a failed run is retried, after the backoff, for whichever commit is latest
 * by then. A commit the hook already succeeded for is not run again.
 */
export function startHookRunner(options: HookRunnerOptions): HookRunner {
  const { hook, backoffMs, log } = options;
  const stopping = new AbortController();
  let latest: string | undefined;
  let done: string | undefined;
  let wake: (() => void) | undefined;
  let settleFirst: (ok: boolean) => void = () => {};
  const firstResult = new Promise<boolean>((resolve) => {
    settleFirst = resolve;
  });

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      const hash = latest;
      if (hash === undefined || hash === done) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      try {
        await hook.run(hash, stopping.signal);
        done = hash;
        options.onRun?.(hook.name, 'success');
        settleFirst(true);
      } catch (error) {
        if (stopping.signal.aborted) break;
        options.onRun?.(hook.name, 'error');
        settleFirst(false);
        log.error(`The ${hook.name} failed for ${hash}, retrying in ${formatDuration(backoffMs)}`, {
          error: (error as Error).message,
        });
        await (options.wait ?? realWait)(backoffMs, stopping.signal);
      }
    }
  }

  const ended = run();
  return {
    send(hash) {
      latest = hash;
      wake?.();
    },
    firstResult,
    async stop() {
      stopping.abort(new Error('git-sync is stopping'));
      wake?.();
      await ended;
    },
  };
}

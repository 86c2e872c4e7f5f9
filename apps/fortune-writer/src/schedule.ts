import { formatDuration, type Logger } from '@fortune-sidecar/common';
import { type Clocks, SYSTEM_CLOCKS } from './clocks.ts';
import type { Schedule } from './config.ts';
import { startCronTimer } from './cron-timer.ts';

export interface ScheduleOptions {
  readonly log: Logger;
  readonly clocks?: Clocks;
}

export interface RunningSchedule {
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
  /** Why the schedule is behind: no run finished for three periods. Undefined while it keeps up. */
  behind(): string | undefined;
}

/** Periods without a finished run before the schedule counts as behind. */
const PERIODS_BEHIND = 3;
/** But never less: with a short interval, a disk that takes a second to sync is slow, not stuck. */
const MIN_BEHIND_MS = 10_000;

/**
 * Calls `run` on the schedule, never twice at once: a tick that comes while a run is still
 * going is skipped rather than queued, so a slow disk cannot build up a backlog. A run that
 * never ends, or a schedule that stops firing, shows in `behind`.
 */
export function startSchedule(
  schedule: Schedule,
  run: () => Promise<unknown>,
  options: ScheduleOptions,
): RunningSchedule {
  const clocks = options.clocks ?? SYSTEM_CLOCKS;
  const monotonic = clocks.monotonic;
  let running: Promise<unknown> | undefined;
  let finished = monotonic();
  const tick = () => {
    if (running) return;
    running = run().finally(() => {
      running = undefined;
      finished = monotonic();
    });
  };

  const timer =
    schedule.kind === 'interval'
      ? intervalTimer(schedule.ms, tick)
      : startCronTimer({ expression: schedule.expression, onDue: tick, log: options.log, clocks });
  return {
    async stop() {
      timer.stop();
      await running;
    },
    behind() {
      const quiet = monotonic() - finished;
      const period = timer.periodMs();
      if (quiet <= Math.max(PERIODS_BEHIND * period, MIN_BEHIND_MS)) return undefined;
      return `no write for ${formatDuration(Math.round(quiet / 1000) * 1000)}, more than ${PERIODS_BEHIND} periods of ${formatDuration(period)}`;
    },
  };
}

/** setInterval runs on the monotonic clock already: a jump of the wall clock does not move it. */
function intervalTimer(ms: number, tick: () => void) {
  const timer = setInterval(tick, ms);
  return { stop: () => clearInterval(timer), periodMs: () => ms };
}

import { formatDuration, type Logger } from '@fortune-sidecar/common';
import type { Clocks } from './clocks.ts';
import { cronTimes } from './cron-times.ts';

export interface CronTimerOptions {
  readonly expression: string;
  readonly onDue: () => void;
  readonly log: Logger;
  readonly clocks: Clocks;
}

export interface CronTimer {
  stop(): void;
  /** The time between two runs, as of the run the timer waits for now. */
  periodMs(): number;
}

/** The timer wakes at least this often to compare the two clocks, so a jump is seen within it. */
const CHECK_MS = 1000;
/** A difference between the clocks larger than this is a jump, not drift. */
const JUMP_MS = 1000;

/**
 * Calls `onDue` at the times of a cron expression. Those are wall-clock times, and node-cron's
 * own scheduler waits for the wall clock: set back an hour, it writes nothing for that hour; set
 * forward a day with a run each second, it warns once for each of the 86,400 runs it missed, all
 * at once. So one timer at a time is armed here, for the next time only, and each wake compares
 * the wall clock with the monotonic one. A run is due when the wall clock reaches its time, or
 * when that much time has really passed (the clock was set back); after a run, the next time is
 * found from the wall clock as it is then. A jump is logged once.
 */
export function startCronTimer(options: CronTimerOptions): CronTimer {
  const { clocks, log } = options;
  const nextAfter = cronTimes(options.expression);
  let timer: NodeJS.Timeout | undefined;
  let last = { wall: clocks.wall(), mono: clocks.monotonic() };
  let due = 0;
  let dueMono = 0;
  let fired: number | undefined;
  let period = 0;

  const arm = () => {
    let next = nextAfter(last.wall);
    // Fired by the monotonic clock a moment before the wall clock reached it: that time is done.
    if (next === fired) next = nextAfter(next);
    period = Math.max(next - (fired ?? last.wall), nextAfter(next) - next);
    due = next;
    dueMono = last.mono + (next - last.wall);
    wait();
  };

  const wait = () => {
    const delay = Math.min(due - last.wall, dueMono - last.mono, CHECK_MS);
    timer = setTimeout(wake, Math.max(0, delay));
  };

  const wake = () => {
    const now = { wall: clocks.wall(), mono: clocks.monotonic() };
    const jump = now.wall - last.wall - (now.mono - last.mono);
    last = now;
    if (Math.abs(jump) > JUMP_MS) {
      const by = formatDuration(Math.round(Math.abs(jump) / 1000) * 1000);
      log.warn(`The clock jumped ${by} ${jump > 0 ? 'forward' : 'back'}; writing on from the new time`);
    }
    if (now.wall < due && now.mono < dueMono) return wait();
    fired = due;
    options.onDue();
    arm();
  };

  arm();
  return {
    stop: () => clearTimeout(timer),
    periodMs: () => period,
  };
}

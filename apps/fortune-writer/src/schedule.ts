import type { Logger } from '@fortune-sidecar/common';
import { schedule as cronSchedule } from 'node-cron';
import type { Schedule } from './config.ts';

export interface RunningSchedule {
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Calls `run` on the schedule, never twice at once: a tick that comes while a run is still
 * going is skipped rather than queued, so a slow disk cannot build up a backlog.
 */
export function startSchedule(schedule: Schedule, run: () => Promise<unknown>, log: Logger): RunningSchedule {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    if (running) return;
    running = run().finally(() => {
      running = undefined;
    });
  };

  let cancel: () => void;
  if (schedule.kind === 'interval') {
    const timer = setInterval(tick, schedule.ms);
    cancel = () => clearInterval(timer);
  } else {
    const task = cronSchedule(schedule.expression, tick, {
      logger: {
        info: () => {},
        debug: () => {},
        warn: (message) => log.warn(message),
        error: (message) => log.error(String(message)),
      },
    });
    cancel = () => void task.destroy();
  }
  return {
    async stop() {
      cancel();
      await running;
    },
  };
}

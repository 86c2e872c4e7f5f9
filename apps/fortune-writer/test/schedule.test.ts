import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@fortune-sidecar/common';
import { startSchedule } from '../src/schedule.ts';

const log = createLogger({ format: 'text', write: () => {} });

describe('the writing schedule', () => {
  it('runs on an interval', async () => {
    let runs = 0;
    const schedule = startSchedule(
      { kind: 'interval', ms: 20 },
      async () => {
        runs += 1;
      },
      log,
    );
    await sleep(230);
    await schedule.stop();
    assert.ok(runs >= 7 && runs <= 12, `ran ${runs} times in 230 ms`);
  });

  it('skips a tick while the previous run is still going instead of piling runs up', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const schedule = startSchedule(
      { kind: 'interval', ms: 10 },
      async () => {
        running += 1;
        runs += 1;
        most = Math.max(most, running);
        await sleep(55);
        running -= 1;
      },
      log,
    );
    await sleep(200);
    await schedule.stop();
    assert.equal(most, 1);
    assert.ok(runs <= 4, `ran ${runs} times`);
  });

  it('waits for the run in progress when stopped, and runs no more after', async () => {
    let finished = false;
    let runs = 0;
    const schedule = startSchedule(
      { kind: 'interval', ms: 10 },
      async () => {
        runs += 1;
        await sleep(50);
        finished = true;
      },
      log,
    );
    await sleep(25);
    await schedule.stop();
    assert.equal(finished, true);
    const runsAtStop = runs;
    await sleep(50);
    assert.equal(runs, runsAtStop);
  });

  it('runs on a cron expression with seconds', async () => {
    let runs = 0;
    const schedule = startSchedule(
      { kind: 'cron', expression: '* * * * * *' },
      async () => {
        runs += 1;
      },
      log,
    );
    await sleep(2100);
    await schedule.stop();
    assert.ok(runs >= 1 && runs <= 3, `ran ${runs} times in 2.1 s`);
  });
});

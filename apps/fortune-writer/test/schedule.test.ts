// The schedule on clocks the test moves: node:test's mock timers drive setTimeout and
// setInterval, which run on the monotonic clock as Node's do; the wall clock is that time plus
// whatever the test sets it forward or back by. Nothing here waits for real time.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { resourceBounds } from '@fortune-sidecar/testing';
import type { Schedule } from '../src/config.ts';
import { startSchedule } from '../src/schedule.ts';

const bounds = resourceBounds('fortune-writer', import.meta.url);

/** Runs the writer's schedule on mock clocks, counting runs and keeping what it logs. */
function scheduleOnMockClocks(schedule: Schedule, run: () => Promise<unknown> = async () => {}) {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  let monotonic = 0;
  let wall = Date.parse('2026-11-25T10:00:00.000Z');
  let wallReads = 0;
  const warnings: string[] = [];
  const log = createLogger({
    format: 'text',
    write: (line) => {
      if (line.includes(' WARN ')) warnings.push(line);
    },
  });
  let runs = 0;
  const running = startSchedule(
    schedule,
    () => {
      runs += 1;
      return run();
    },
    {
      log,
      clocks: {
        wall: () => {
          wallReads += 1;
          return wall;
        },
        monotonic: () => monotonic,
      },
    },
  );
  return {
    schedule: running,
    warnings,
    runs: () => runs,
    /** How often the schedule read the wall clock: a measure of the work it did. */
    wallReads: () => wallReads,
    /** Lets `ms` pass on both clocks, in steps of `step`, as the timers would see it. */
    async pass(ms: number, step = 100) {
      for (let left = ms; left > 0; left -= step) {
        // Lets each run's promise settle before the next step.
        await new Promise((resolve) => setImmediate(resolve));
        const now = Math.min(step, left);
        monotonic += now;
        wall += now;
        mock.timers.tick(now);
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
    /** Sets the wall clock, and only the wall clock, by `ms` (back when negative). */
    setClock(ms: number) {
      wall += ms;
    },
  };
}

const hanging = () => new Promise<never>(() => {});

describe('the writing schedule', () => {
  afterEach(() => mock.timers.reset());

  it('runs on an interval', async () => {
    const clocks = scheduleOnMockClocks({ kind: 'interval', ms: 20 });
    await clocks.pass(230, 10);
    await clocks.schedule.stop();
    assert.equal(clocks.runs(), 11);
  });

  it('skips a tick while the previous run is still going instead of piling runs up', async () => {
    let running = 0;
    let most = 0;
    let finish = () => {};
    const clocks = scheduleOnMockClocks({ kind: 'interval', ms: 10 }, async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      running -= 1;
    });
    await clocks.pass(55, 5);
    assert.equal(clocks.runs(), 1, 'one run, still going, after five ticks');
    finish();
    await clocks.pass(10, 5);
    assert.equal(clocks.runs(), 2, 'the next tick after it ended runs again');
    finish();
    await clocks.schedule.stop();
    assert.equal(most, 1);
  });

  it('waits for the run in progress when stopped, and runs no more after', async () => {
    let finished = false;
    let finish = () => {};
    const clocks = scheduleOnMockClocks({ kind: 'interval', ms: 10 }, async () => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      finished = true;
    });
    await clocks.pass(10);
    const stopped = clocks.schedule.stop();
    finish();
    await stopped;
    assert.equal(finished, true);
    await clocks.pass(50);
    assert.equal(clocks.runs(), 1);
  });

  it('runs on a cron expression with seconds', async () => {
    const clocks = scheduleOnMockClocks({ kind: 'cron', expression: '* * * * * *' });
    await clocks.pass(10_000);
    await clocks.schedule.stop();
    assert.equal(clocks.runs(), 10);
  });

  it('keeps writing every period when the clock is set back an hour, and says so once', async () => {
    const clocks = scheduleOnMockClocks({ kind: 'cron', expression: '*/10 * * * * *' });
    await clocks.pass(30_000);
    assert.equal(clocks.runs(), 3);
    clocks.setClock(-3_600_000);
    await clocks.pass(60_000);
    const after = clocks.runs() - 3;
    assert.ok(after >= 5 && after <= 6, `${after} runs in the minute after the jump`);
    assert.equal(clocks.warnings.length, 1);
    assert.match(clocks.warnings[0] ?? '', /The clock jumped 1h back; writing on from the new time/);
    assert.equal(clocks.schedule.behind(), undefined, 'ready all along');
    await clocks.schedule.stop();
    bounds.push({
      tried: 'clock set back one hour, schedule every 10 s',
      bound: 'keeps writing every period; the jump logged once',
      measured: `${after} fortunes in the minute after, ${clocks.warnings.length} line`,
    });
  });

  it('writes on each second when the clock is set forward a day, and logs it once, not once per missed second', async () => {
    const clocks = scheduleOnMockClocks({ kind: 'cron', expression: '* * * * * *' });
    await clocks.pass(5_000);
    assert.equal(clocks.runs(), 5);
    const readsBefore = clocks.wallReads();
    clocks.setClock(86_400_000);
    await clocks.pass(5_000);
    const after = clocks.runs() - 5;
    const reads = clocks.wallReads() - readsBefore;
    assert.ok(after >= 5 && after <= 6, `${after} runs in the 5 s after the jump`);
    assert.equal(clocks.warnings.length, 1, clocks.warnings.slice(0, 3).join('\n'));
    assert.match(clocks.warnings[0] ?? '', /The clock jumped 24h forward/);
    assert.ok(reads <= 20, `no catching up on the missed day: ${reads} clock reads in 5 s`);
    await clocks.schedule.stop();
    bounds.push({
      tried: 'clock set forward one day, schedule every second',
      bound: 'one line logged, no catching up; writing goes on each second',
      measured: `${clocks.warnings.length} line, ${after} fortunes and ${reads} clock reads in the 5 s after`,
    });
  });

  for (const schedule of [
    { kind: 'interval', ms: 10_000 },
    { kind: 'cron', expression: '*/10 * * * * *' },
  ] as const) {
    it(`is behind once no write finished for three periods (${schedule.kind})`, async () => {
      // A write that never ends, as on a hung network disk.
      const clocks = scheduleOnMockClocks(schedule, hanging);
      await clocks.pass(30_000, 500);
      assert.equal(clocks.schedule.behind(), undefined, 'three periods are not yet behind');
      await clocks.pass(1_000, 500);
      assert.equal(clocks.schedule.behind(), 'no write for 31s, more than 3 periods of 10s');
      mock.timers.reset();
    });
  }

  it('with a short interval, is behind only after 10 s without a write: a slow disk is not a stuck one', async () => {
    const clocks = scheduleOnMockClocks({ kind: 'interval', ms: 100 }, hanging);
    await clocks.pass(10_000, 500);
    assert.equal(clocks.schedule.behind(), undefined);
    await clocks.pass(1_000, 500);
    assert.equal(clocks.schedule.behind(), 'no write for 11s, more than 3 periods of 100ms');
    mock.timers.reset();
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, it, mock } from 'node:test';
import { createTask } from 'node-cron';
import { cronTimes } from '../src/cron-times.ts';

// Local times are read in UTC here, whatever the machine's zone; node-cron keeps the zone it saw
// first, so a test in another zone runs in a process of its own (inZone).
process.env.TZ = 'UTC';

/** The times cronTimes finds in a time zone of its own, as ISO strings. */
function inZone(zone: string, expression: string, from: string, count: number): string[] {
  const source = new URL('../src/cron-times.ts', import.meta.url).href;
  const code = `
    const { cronTimes } = await import(${JSON.stringify(source)});
    const next = cronTimes(${JSON.stringify(expression)});
    const times = [];
    for (let time = Date.parse(${JSON.stringify(from)}); times.length < ${count}; ) times.push(new Date((time = next(time))).toISOString());
    console.log(JSON.stringify(times));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, TZ: zone },
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

/** node-cron's own next runs from `now`, read with its clock set there. */
function nodeCronRuns(expression: string, now: number, count: number): number[] {
  mock.timers.enable({ apis: ['Date'], now });
  const runs = createTask(expression, () => {}).getNextRuns(count);
  mock.timers.reset();
  return runs.map((date) => date.getTime());
}

function ourRuns(expression: string, now: number, count: number): number[] {
  const nextAfter = cronTimes(expression);
  const runs: number[] = [];
  for (let time = now; runs.length < count; ) {
    time = nextAfter(time);
    runs.push(time);
  }
  return runs;
}

describe('the times a cron expression names', () => {
  afterEach(() => mock.timers.reset());

  const expressions = [
    '*/10 * * * * *',
    '* * * * *',
    '0 9 * * 1-5',
    '30 2 * * *',
    '0 0 L * *',
    '0 12 * * 5#2',
    '@hourly',
    '15 10 29 2 *',
  ];
  const starts = ['2026-11-25T21:50:07.300Z', '2026-12-31T23:59:59.999Z', '2027-02-27T12:00:00.000Z'];
  for (const expression of expressions) {
    it(`"${expression}": the same times as node-cron finds, from any time`, () => {
      for (const start of starts) {
        const now = Date.parse(start);
        assert.deepEqual(ourRuns(expression, now, 4), nodeCronRuns(expression, now, 4), `from ${start}`);
      }
    });
  }

  it('finds the time after the one given, never the same one', () => {
    const nextAfter = cronTimes('*/10 * * * * *');
    const at = Date.parse('2026-11-25T21:50:10.000Z');
    assert.equal(new Date(nextAfter(at)).toISOString(), '2026-11-25T21:50:20.000Z');
    assert.equal(new Date(nextAfter(at - 1)).toISOString(), '2026-11-25T21:50:10.000Z');
  });

  it('in a zone with summer time: an hourly schedule runs every hour of real time when the clocks go back', () => {
    // Berlin, 31 October 2027: 02:00 summer time, then 02:00 winter time an hour later.
    assert.deepEqual(inZone('Europe/Berlin', '0 * * * *', '2027-10-30T23:30:00.000Z', 3), [
      '2027-10-31T00:00:00.000Z',
      '2027-10-31T01:00:00.000Z',
      '2027-10-31T02:00:00.000Z',
    ]);
  });

  it('in a zone with summer time: a local time the clocks skip does not come that day', () => {
    // Berlin, 28 March 2027: from 02:00 straight to 03:00.
    assert.deepEqual(inZone('Europe/Berlin', '30 2 * * *', '2027-03-27T00:00:00.000Z', 2), [
      '2027-03-27T01:30:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
  });

  it('in a zone with summer time: the other times of the day a skipped one starts still come', () => {
    // Berlin, 28 March 2027: 02:30 does not exist, 04:30 does.
    assert.deepEqual(inZone('Europe/Berlin', '30 2,4 * * *', '2027-03-27T00:00:00.000Z', 4), [
      '2027-03-27T01:30:00.000Z',
      '2027-03-27T03:30:00.000Z',
      '2027-03-28T02:30:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
  });
});

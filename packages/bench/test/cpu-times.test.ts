import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busiestShares, parseProcStat } from '../src/cpu-times.ts';

// /proc/stat of a 2-core VM: user nice system idle iowait irq softirq steal guest guest_nice.
const stat = (core0: string, core1: string) =>
  `cpu  540146 56696 215013 988691 14048 0 21978 281 0 0\ncpu0 ${core0}\ncpu1 ${core1}\nintr 1 2 3\nctxt 42\n`;

describe('CPU time from /proc/stat', () => {
  it('reads each core: work, idle with I/O wait, and steal; guest time is not counted twice', () => {
    const cores = parseProcStat(stat('100 10 50 800 20 5 15 7 40 3', '1 0 1 98 0 0 0 0 0 0'));
    assert.deepEqual(cores.get(0), { work: 180, idle: 820, steal: 7 });
    assert.deepEqual(cores.get(1), { work: 2, idle: 98, steal: 0 });
    assert.equal(cores.size, 2);
  });

  it('refuses a text without per-core lines', () => {
    assert.throws(() => parseProcStat('cpu  1 2 3 4\n'), /no per-core lines/);
  });

  it('gives the shares of the busiest of the cores asked about, between two readings', () => {
    const before = parseProcStat(stat('0 0 0 0 0 0 0 0', '0 0 0 0 0 0 0 0'));
    // Core 0: 30 of 100 ticks working, 5 stolen; core 1: 10 working, 20 stolen.
    const after = parseProcStat(stat('20 0 10 65 0 0 0 5', '5 0 5 70 0 0 0 20'));
    assert.deepEqual(busiestShares(before, after, [0, 1]), { work: 0.3, steal: 0.2 });
    assert.deepEqual(busiestShares(before, after, [1, 0]), { work: 0.3, steal: 0.2 });
    assert.deepEqual(busiestShares(before, after, [1]), { work: 0.1, steal: 0.2 });
  });

  it('names a core that /proc/stat does not have', () => {
    const one = parseProcStat('cpu0 1 1 1 1\n');
    assert.throws(() => busiestShares(one, one, [0, 1]), /no core 1/);
  });
});

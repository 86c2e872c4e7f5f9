import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryOf, parseStatus, quantile } from '../src/process-stats.ts';

describe('process statistics', () => {
  it('reads the resident and the peak resident memory from /proc/<pid>/status, in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t   61240 kB\nVmRSS:\t   48112 kB\nThreads:\t7\n';
    assert.deepEqual(parseStatus(status), { rss: 48112 * 1024, peak: 61240 * 1024 });
  });

  it('reads them for a running process', async () => {
    const memory = await memoryOf(process.pid);
    assert.ok(memory.rss > 10e6 && memory.peak >= memory.rss);
  });

  it('takes quantiles by the nearest rank', () => {
    const samples = Array.from({ length: 200 }, (_, i) => i + 1);
    assert.equal(quantile(samples, 0.5), 100);
    assert.equal(quantile(samples, 0.99), 198);
    assert.equal(quantile([7], 0.99), 7);
    assert.throws(() => quantile([], 0.5));
  });
});

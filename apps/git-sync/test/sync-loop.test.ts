import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@fortune-sidecar/common';
import type { Synced } from '../src/sync.ts';
import { backoffDelay, MAX_BACKOFF_MS, type SyncLoopOptions, startSyncLoop } from '../src/sync-loop.ts';

/** A sync that plays a script: each entry says whether that call fails; the last entry repeats. */
function scripted(script: readonly ('ok' | 'fail')[]) {
  const calls: number[] = [];
  const sync = async (): Promise<Synced> => {
    calls.push(Date.now());
    const outcome = script[Math.min(calls.length, script.length) - 1];
    if (outcome === 'fail') throw new Error(`remote unreachable (call ${calls.length})`);
    return { commit: `c${calls.length}`, changed: true };
  };
  return { sync, calls };
}

/** Starts a loop that the test stops when it ends, passed or not. */
function loopWith(t: TestContext, options: Partial<SyncLoopOptions> & Pick<SyncLoopOptions, 'sync'>) {
  const lines: string[] = [];
  const loop = startSyncLoop({
    periodMs: 40,
    syncTimeoutMs: 5000,
    maxFailures: 3,
    oneTime: false,
    log: createLogger({ format: 'text', write: (line) => lines.push(line) }),
    ...options,
  });
  t.after(() => loop.stop());
  return { loop, lines };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(2);
}

describe('backoff', () => {
  it('waits one period after the first failure and doubles with each further one', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((failures) => backoffDelay(10_000, failures)),
      [10_000, 20_000, 40_000, 80_000],
    );
  });

  it('never waits more than 5 minutes', () => {
    assert.equal(MAX_BACKOFF_MS, 300_000);
    assert.equal(backoffDelay(10_000, 20), 300_000);
    assert.equal(backoffDelay(3_600_000, 1), 300_000);
  });
});

describe('sync loop', () => {
  it('syncs again every period', async (t) => {
    const { sync, calls } = scripted(['ok']);
    const { loop } = loopWith(t, { sync });
    await sleep(200);
    await loop.stop();
    assert.ok(calls.length >= 3 && calls.length <= 6, `${calls.length} syncs in 200ms with a 40ms period`);
    assert.equal(await loop.done, 'stopped');
  });

  it('retries failures with growing delays and counts them until a sync succeeds', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'fail', 'ok']);
    const { loop, lines } = loopWith(t, { sync, periodMs: 30 });
    await until(() => loop.status().failures === 2);
    assert.deepEqual(loop.status(), { failures: 2, lastError: 'remote unreachable (call 2)' });
    await until(() => loop.status().commit !== undefined);
    assert.deepEqual(loop.status(), { commit: 'c4', failures: 0 });
    await loop.stop();
    const gaps = calls.slice(1).map((at, index) => at - (calls[index] as number));
    // 30ms, 60ms, 120ms: each at least the backoff, and not much more.
    for (const [index, gap] of gaps.entries()) {
      const expected = backoffDelay(30, index + 1);
      assert.ok(
        gap >= expected - 2 && gap < expected + 60,
        `gap ${index + 1} was ${gap}ms, expected ${expected}ms`,
      );
    }
    assert.match(
      lines[0] ?? '',
      /ERROR Sync failed \(1 in a row\), keeping what is published, retrying in 30ms error="remote unreachable \(call 1\)"/,
    );
  });

  it('gives up after more than GITSYNC_MAX_FAILURES failures in a row', async (t) => {
    const { sync, calls } = scripted(['fail']);
    const { loop, lines } = loopWith(t, { sync, periodMs: 10, maxFailures: 2 });
    assert.equal(await loop.done, 'too-many-failures');
    assert.equal(calls.length, 3);
    assert.match(
      lines.at(-1) ?? '',
      /Sync failed 3 times in a row, more than GITSYNC_MAX_FAILURES=2: giving up/,
    );
  });

  it('gives up at the first failure when GITSYNC_MAX_FAILURES is 0', async (t) => {
    const { sync, calls } = scripted(['ok', 'fail']);
    const { loop } = loopWith(t, { sync, periodMs: 10, maxFailures: 0 });
    assert.equal(await loop.done, 'too-many-failures');
    assert.equal(calls.length, 2);
    assert.equal(loop.status().commit, 'c1', 'the last good commit is still reported');
  });

  it('only counts failures in a row: a success in between starts the count again', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'ok', 'fail', 'fail', 'ok']);
    const { loop } = loopWith(t, { sync, periodMs: 5, maxFailures: 2 });
    await until(() => calls.length >= 6);
    await loop.stop();
    assert.equal(await loop.done, 'stopped');
  });

  it('never gives up when GITSYNC_MAX_FAILURES is -1', async (t) => {
    const { sync, calls } = scripted(['fail']);
    // The backoff doubles from 1ms: eight failures take a quarter of a second.
    const { loop } = loopWith(t, { sync, periodMs: 1, maxFailures: -1 });
    await until(() => calls.length >= 8);
    assert.equal(loop.status().failures, calls.length);
    await loop.stop();
    assert.equal(await loop.done, 'stopped');
  });

  it('fails a sync that takes longer than GITSYNC_SYNC_TIMEOUT, aborting it', async (t) => {
    let abortedWith: unknown;
    const sync = (signal: AbortSignal) =>
      new Promise<Synced>((_, reject) => {
        signal.addEventListener('abort', () => {
          abortedWith = signal.reason;
          reject(signal.reason);
        });
      });
    const { loop } = loopWith(t, { sync, syncTimeoutMs: 100, maxFailures: 0 });
    const started = Date.now();
    assert.equal(await loop.done, 'too-many-failures');
    assert.ok(Date.now() - started >= 95);
    assert.match(String(abortedWith), /the sync took longer than 100ms \(GITSYNC_SYNC_TIMEOUT\)/);
    assert.match(loop.status().lastError ?? '', /GITSYNC_SYNC_TIMEOUT/);
  });

  it('stops at once, aborting the sync in progress without counting it as a failure', async (t) => {
    let signal: AbortSignal | undefined;
    const sync = (given: AbortSignal) =>
      new Promise<Synced>((_, reject) => {
        signal = given;
        given.addEventListener('abort', () => reject(given.reason));
      });
    const { loop, lines } = loopWith(t, { sync });
    await sleep(20);
    const started = Date.now();
    await loop.stop();
    assert.ok(Date.now() - started < 50);
    assert.equal(signal?.aborted, true);
    assert.equal(loop.status().failures, 0);
    assert.deepEqual(lines, []);
  });

  it('stops during the wait between two syncs without waiting for the period', async (t) => {
    const { sync } = scripted(['ok']);
    const { loop } = loopWith(t, { sync, periodMs: 60_000 });
    await sleep(20);
    const started = Date.now();
    await loop.stop();
    assert.ok(Date.now() - started < 50);
  });
});

describe('one-time sync', () => {
  it('ends after the first successful sync', async (t) => {
    const { sync, calls } = scripted(['ok']);
    const { loop } = loopWith(t, { sync, oneTime: true });
    assert.equal(await loop.done, 'synced-once');
    assert.equal(calls.length, 1);
  });

  it('retries like the loop, and succeeds if a retry does', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'ok']);
    const { loop } = loopWith(t, { sync, oneTime: true, periodMs: 5, maxFailures: 2 });
    assert.equal(await loop.done, 'synced-once');
    assert.equal(calls.length, 3);
  });

  it('fails after more than GITSYNC_MAX_FAILURES failures', async (t) => {
    const { sync, calls } = scripted(['fail']);
    const { loop } = loopWith(t, { sync, oneTime: true, periodMs: 5, maxFailures: 1 });
    assert.equal(await loop.done, 'too-many-failures');
    assert.equal(calls.length, 2);
  });
});

// The loop on a clock the test moves: node:test's mock timers drive its waits and its sync
// timeout, and Date reads that clock, so each sync is recorded at the time the schedule gave it.
// Nothing here waits for real time.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import type { Synced } from '../src/sync.ts';
import { backoffDelay, MAX_BACKOFF_MS, type SyncLoopOptions, startSyncLoop } from '../src/sync-loop.ts';

/** A sync that plays a script: each entry says whether that call fails; the last entry repeats. */
function scripted(script: readonly ('ok' | 'fail')[]) {
  /** The time of each call on the mock clock. */
  const calls: number[] = [];
  const sync = async (): Promise<Synced> => {
    calls.push(Date.now());
    const outcome = script[Math.min(calls.length, script.length) - 1];
    if (outcome === 'fail') throw new Error(`remote unreachable (call ${calls.length})`);
    return { commit: `c${calls.length}`, changed: true };
  };
  return { sync, calls };
}

/** A sync that never ends by itself: it rejects when its signal aborts, and keeps that signal. */
function hanging() {
  const seen: AbortSignal[] = [];
  const sync = (signal: AbortSignal) =>
    new Promise<Synced>((_, reject) => {
      seen.push(signal);
      signal.addEventListener('abort', () => reject(signal.reason));
    });
  return { sync, signal: () => seen.at(-1) };
}

/** Lets every promise the loop is waiting on settle, without moving the clock. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** What `promise` has settled with once the loop has done all it can at this time, or 'pending'. */
async function outcome<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, settle().then(() => 'pending' as const)]);
}

/**
 * Starts a loop on the mock clock, stopped when the test ends, passed or not. `pass(ms)` moves
 * the clock a millisecond at a time, so that each wait ends exactly when it is due.
 */
function loopWith(t: TestContext, options: Partial<SyncLoopOptions> & Pick<SyncLoopOptions, 'sync'>) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const lines: string[] = [];
  const loop = startSyncLoop({
    periodMs: 40,
    syncTimeoutMs: 5000,
    maxFailures: 3,
    oneTime: false,
    log: createLogger({ format: 'text', write: (line) => lines.push(line) }),
    ...options,
  });
  // Never waits past what the loop can do at once: a loop that fails to stop fails its test, not the run.
  t.after(() => outcome(loop.stop()));
  const pass = async (ms: number) => {
    await settle();
    for (let step = 0; step < ms; step += 1) {
      t.mock.timers.tick(1);
      await settle();
    }
  };
  return { loop, lines, pass };
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
  it('syncs at once, then again every period', async (t) => {
    const { sync, calls } = scripted(['ok']);
    const { loop, pass } = loopWith(t, { sync });
    await pass(160);
    assert.deepEqual(calls, [0, 40, 80, 120, 160]);
    assert.deepEqual(loop.status(), { commit: 'c5', failures: 0 });
    assert.equal(await outcome(loop.done), 'pending');
  });

  it('retries failures with growing delays and counts them until a sync succeeds', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'fail', 'ok']);
    const { loop, lines, pass } = loopWith(t, { sync, periodMs: 30 });
    await pass(30);
    assert.deepEqual(loop.status(), { failures: 2, lastError: 'remote unreachable (call 2)' });
    await pass(180);
    assert.deepEqual(loop.status(), { commit: 'c4', failures: 0 });
    // 30ms, then 60ms, then 120ms after each failure.
    assert.deepEqual(calls, [0, 30, 90, 210]);
    assert.match(
      lines[0] ?? '',
      /ERROR Sync failed \(1 in a row\), keeping what is published, retrying in 30ms error="remote unreachable \(call 1\)"/,
    );
  });

  it('gives up after more than GITSYNC_MAX_FAILURES failures in a row', async (t) => {
    const { sync, calls } = scripted(['fail']);
    const { loop, lines, pass } = loopWith(t, { sync, periodMs: 10, maxFailures: 2 });
    await pass(30);
    assert.equal(await outcome(loop.done), 'too-many-failures');
    assert.deepEqual(calls, [0, 10, 30]);
    assert.match(
      lines.at(-1) ?? '',
      /Sync failed 3 times in a row, more than GITSYNC_MAX_FAILURES=2: giving up/,
    );
  });

  it('gives up at the first failure when GITSYNC_MAX_FAILURES is 0', async (t) => {
    const { sync, calls } = scripted(['ok', 'fail']);
    const { loop, pass } = loopWith(t, { sync, periodMs: 10, maxFailures: 0 });
    await pass(10);
    assert.equal(await outcome(loop.done), 'too-many-failures');
    assert.deepEqual(calls, [0, 10]);
    assert.equal(loop.status().commit, 'c1', 'the last good commit is still reported');
  });

  it('only counts failures in a row: a success in between starts the count again', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'ok', 'fail', 'fail', 'ok']);
    const { loop, pass } = loopWith(t, { sync, periodMs: 5, maxFailures: 2 });
    await pass(35);
    assert.deepEqual(calls, [0, 5, 15, 20, 25, 35]);
    assert.deepEqual(loop.status(), { commit: 'c6', failures: 0 });
    assert.equal(await outcome(loop.done), 'pending');
  });

  it('never gives up when GITSYNC_MAX_FAILURES is -1', async (t) => {
    const { sync, calls } = scripted(['fail']);
    const { loop, pass } = loopWith(t, { sync, periodMs: 1, maxFailures: -1 });
    await pass(127);
    assert.deepEqual(calls, [0, 1, 3, 7, 15, 31, 63, 127]);
    assert.equal(loop.status().failures, 8);
    assert.equal(await outcome(loop.done), 'pending');
  });

  it('fails a sync that takes longer than GITSYNC_SYNC_TIMEOUT, aborting it', async (t) => {
    const { sync, signal } = hanging();
    const { loop, pass } = loopWith(t, { sync, syncTimeoutMs: 100, maxFailures: 0 });
    await pass(99);
    assert.equal(signal()?.aborted, false, 'aborted before the timeout');
    await pass(1);
    assert.match(String(signal()?.reason), /the sync took longer than 100ms \(GITSYNC_SYNC_TIMEOUT\)/);
    assert.equal(await outcome(loop.done), 'too-many-failures');
    assert.match(loop.status().lastError ?? '', /GITSYNC_SYNC_TIMEOUT/);
  });

  // The clock stands still: stop() can only settle without waiting for a timer.
  it('stops at once, aborting the sync in progress without counting it as a failure', async (t) => {
    const { sync, signal } = hanging();
    const { loop, lines, pass } = loopWith(t, { sync });
    await pass(20);
    assert.equal(await outcome(loop.stop().then(() => 'stopped')), 'stopped');
    assert.equal(signal()?.aborted, true);
    assert.equal(await loop.done, 'stopped');
    assert.equal(loop.status().failures, 0);
    assert.deepEqual(lines, []);
  });

  it('stops during the wait between two syncs without waiting for the period', async (t) => {
    const { sync, calls } = scripted(['ok']);
    const { loop, pass } = loopWith(t, { sync, periodMs: 60_000 });
    await pass(20);
    assert.equal(await outcome(loop.stop().then(() => 'stopped')), 'stopped');
    assert.equal(await loop.done, 'stopped');
    assert.deepEqual(calls, [0]);
  });
});

describe('one-time sync', () => {
  it('ends after the first successful sync', async (t) => {
    const { sync, calls } = scripted(['ok']);
    const { loop } = loopWith(t, { sync, oneTime: true });
    assert.equal(await outcome(loop.done), 'synced-once');
    assert.deepEqual(calls, [0]);
  });

  it('retries like the loop, and succeeds if a retry does', async (t) => {
    const { sync, calls } = scripted(['fail', 'fail', 'ok']);
    const { loop, pass } = loopWith(t, { sync, oneTime: true, periodMs: 5, maxFailures: 2 });
    await pass(15);
    assert.equal(await outcome(loop.done), 'synced-once');
    assert.deepEqual(calls, [0, 5, 15]);
  });

  it('fails after more than GITSYNC_MAX_FAILURES failures', async (t) => {
    const { sync, calls } = scripted(['fail']);
    const { loop, pass } = loopWith(t, { sync, oneTime: true, periodMs: 5, maxFailures: 1 });
    await pass(5);
    assert.equal(await outcome(loop.done), 'too-many-failures');
    assert.deepEqual(calls, [0, 5]);
  });
});

describe('syncing on request (GITSYNC_SYNC_ON_SIGNAL)', () => {
  it('ends the wait at once, and requests during a sync make one more sync after it, not one each', async (t) => {
    const calls: number[] = [];
    let release: (() => void) | undefined;
    const sync = async (): Promise<Synced> => {
      calls.push(Date.now());
      if (calls.length === 2) await new Promise<void>((resolve) => (release = resolve));
      return { commit: `c${calls.length}`, changed: true };
    };
    const { loop, pass } = loopWith(t, { sync, periodMs: 3_600_000 });
    await pass(0);
    assert.deepEqual(calls, [0]);

    loop.syncNow();
    await pass(0);
    assert.deepEqual(calls, [0, 0]);
    loop.syncNow();
    loop.syncNow();
    loop.syncNow();
    release?.();
    await pass(1000);
    assert.deepEqual(calls, [0, 0, 0]);
  });

  it('tells of each outcome before waiting: changed or not, and the failures in a row', async (t) => {
    const { sync } = scripted(['ok', 'fail', 'fail', 'ok']);
    const told: string[] = [];
    const { pass } = loopWith(t, {
      sync,
      periodMs: 10,
      onSynced: async (changed) => void told.push(`synced ${changed}`),
      onFailed: async (error, failures) => void told.push(`failed ${failures}: ${error}`),
    });
    await pass(40);
    assert.deepEqual(told.slice(0, 4), [
      'synced true',
      'failed 1: remote unreachable (call 2)',
      'failed 2: remote unreachable (call 3)',
      'synced true',
    ]);
  });
});

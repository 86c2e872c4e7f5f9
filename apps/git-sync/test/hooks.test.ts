// The hooks against real programs and a real HTTP receiver. The backoff is a wait the test
// releases, so nothing waits for it; the timeouts are short real ones, and nothing asserts how
// long anything took.
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { execHook } from '../src/exec-hook.ts';
import { type Hook, startHookRunner } from '../src/hook-runner.ts';
import { HASH_HEADER, webhook } from '../src/webhook.ts';
import { allProcesses } from './helpers/processes.ts';

const log = createLogger({ format: 'json', write: () => {} });
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

/** A backoff the test releases: each wait is recorded and ends when `release()` is called. */
function heldBackoff() {
  const waits: number[] = [];
  let releases: (() => void)[] = [];
  return {
    waits,
    wait: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        waits.push(ms);
        releases.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    release() {
      const now = releases;
      releases = [];
      for (const resolve of now) resolve();
    },
  };
}

/** Polls, without any deadline of its own (the test runner's timeout is the limit). */
async function until<T>(check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function runner(t: TestContext, hook: Hook, backoff = heldBackoff()) {
  const runs: string[] = [];
  const r = startHookRunner({
    hook,
    backoffMs: 3000,
    log,
    wait: backoff.wait,
    onRun: (name, status) => runs.push(`${name}:${status}`),
  });
  t.after(() => r.stop());
  return { runner: r, runs, backoff };
}

describe('the hook runner', () => {
  it('runs the latest commit only, one run at a time, and never twice for one commit', async (t) => {
    const seen: string[] = [];
    let active = 0;
    let release: () => void = () => {};
    const hook: Hook = {
      name: 'test',
      async run(hash) {
        active += 1;
        assert.equal(active, 1, 'one run at a time');
        seen.push(hash);
        if (hash === A) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
    };
    const { runner: r, runs } = runner(t, hook);
    r.send(A);
    await until(() => seen.length === 1);
    // B then C published while A's run is under way: only C is left to run.
    r.send(B);
    r.send(C);
    release();
    await until(() => runs.length === 2);
    r.send(C);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(seen, [A, C]);
    assert.deepEqual(runs, ['test:success', 'test:success']);
  });

  it('retries a failed run after the backoff, for the commit that is latest by then', async (t) => {
    const seen: string[] = [];
    const hook: Hook = {
      name: 'test',
      async run(hash) {
        seen.push(hash);
        if (hash === A) throw new Error('refused');
      },
    };
    const { runner: r, runs, backoff } = runner(t, hook);
    r.send(A);
    await until(() => backoff.waits.length === 1);
    assert.deepEqual(backoff.waits, [3000]);
    backoff.release();
    await until(() => backoff.waits.length === 2);
    assert.deepEqual(seen, [A, A]);
    // A newer commit replaces the one waiting for its retry.
    r.send(B);
    backoff.release();
    await until(() => runs.length === 3);
    assert.deepEqual(seen, [A, A, B]);
    assert.deepEqual(runs, ['test:error', 'test:error', 'test:success']);
    assert.equal(await r.firstResult, false);
  });
});

async function script(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('the exec hook', () => {
  it('runs in the worktree with GITSYNC_HASH set, and the runner counts it', async (t) => {
    const dir = await tempDir();
    await mkdir(join(dir, A));
    const command = await script(dir, 'hook', 'echo "$GITSYNC_HASH $(pwd)" > ../ran');
    const { runner: r, runs } = runner(
      t,
      execHook({ command, timeoutMs: 10_000, worktree: (h) => join(dir, h), log }),
    );
    r.send(A);
    await until(() => runs.length === 1);
    assert.deepEqual(runs, ['exechook:success']);
    assert.equal(await readFile(join(dir, 'ran'), 'utf8'), `${A} ${join(dir, A)}\n`);
  });

  it('a command name is looked up in PATH', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, A));
    await execHook({ command: 'true', timeoutMs: 10_000, worktree: (h) => join(dir, h), log }).run(
      A,
      new AbortController().signal,
    );
  });

  it('a hook that exits 1 fails with its output, and is retried after the backoff', async (t) => {
    const dir = await tempDir();
    await mkdir(join(dir, A));
    const command = await script(dir, 'hook', 'echo run >> ../runs; echo "cannot reload" >&2; exit 1');
    const hook = execHook({ command, timeoutMs: 10_000, worktree: (h) => join(dir, h), log });
    await assert.rejects(hook.run(A, new AbortController().signal), /exited with 1: cannot reload/);
    const { runner: r, backoff } = runner(t, hook);
    r.send(A);
    await until(() => backoff.waits.length === 1);
    backoff.release();
    await until(() => backoff.waits.length === 2);
    assert.equal(await readFile(join(dir, 'runs'), 'utf8'), 'run\nrun\nrun\n');
  });

  it('a hook that hangs is killed at the timeout with its children, then retried', async (t) => {
    const dir = await tempDir();
    await mkdir(join(dir, A));
    const marker = `${Date.now()}${process.pid}`;
    // The sleep in the background and the one in the foreground: both are the hook's children.
    const command = await script(dir, 'hook', `echo run >> ../runs; sleep 1${marker} & sleep 2${marker}`);
    const hook = execHook({ command, timeoutMs: 300, worktree: (h) => join(dir, h), log });
    const { runner: r, backoff, runs } = runner(t, hook);
    r.send(A);
    await until(() => backoff.waits.length === 1);
    assert.deepEqual(runs, ['exechook:error']);
    assert.equal(await readFile(join(dir, 'runs'), 'utf8'), 'run\n');
    await assert.rejects(hook.run(A, new AbortController().signal), /GITSYNC_EXECHOOK_TIMEOUT/);
    // No sleep of the hook's is left: the group was killed, not only the shell.
    const left = (await allProcesses()).filter(
      (p) => p.command === 'sleep' && p.state !== 'Z' && p.pgid !== process.pid,
    );
    assert.equal(
      (await Promise.all(left.map((p) => readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '')))).filter(
        (line) => line.includes(marker),
      ).length,
      0,
    );
    backoff.release();
    await until(() => backoff.waits.length === 2);
    assert.equal(await readFile(join(dir, 'runs'), 'utf8'), 'run\nrun\nrun\n');
  });

  it('a hook that succeeds leaves nothing running behind it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, A));
    const marker = `${Date.now()}${process.pid}9`;
    const command = await script(dir, 'hook', `sleep 3${marker} &\necho started`);
    await execHook({ command, timeoutMs: 10_000, worktree: (h) => join(dir, h), log }).run(
      A,
      new AbortController().signal,
    );
    const lines = await Promise.all(
      (await allProcesses())
        .filter((p) => p.command === 'sleep' && p.state !== 'Z')
        .map((p) => readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '')),
    );
    assert.equal(lines.filter((line) => line.includes(marker)).length, 0);
  });
});

/** A receiver on loopback that answers each request with `answer`, recording the hash header. */
async function receiver(
  t: TestContext,
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void,
) {
  const calls: { method: string; hash: string | undefined }[] = [];
  const server = createServer((req, res) => {
    calls.push({
      method: req.method ?? '',
      hash: req.headers[HASH_HEADER.toLowerCase()] as string | undefined,
    });
    answer(req, res, calls.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`, calls };
}

describe('the webhook', () => {
  it('calls the receiver once per new commit with the hash in Gitsync-Hash', async (t) => {
    const { url, calls } = await receiver(t, (_, res) => res.end('ok'));
    const { runner: r, runs } = runner(
      t,
      webhook({ url, method: 'PUT', successStatus: 200, timeoutMs: 5000, log }),
    );
    r.send(A);
    await until(() => runs.length === 1);
    r.send(A);
    r.send(B);
    await until(() => runs.length === 2);
    assert.deepEqual(calls, [
      { method: 'PUT', hash: A },
      { method: 'PUT', hash: B },
    ]);
    assert.deepEqual(runs, ['webhook:success', 'webhook:success']);
  });

  it('a receiver answering 500 is called again after the backoff', async (t) => {
    const { url, calls } = await receiver(t, (_, res, n) => {
      res.statusCode = n === 1 ? 500 : 200;
      res.end(n === 1 ? 'broken' : 'ok');
    });
    const hook = webhook({ url, method: 'POST', successStatus: 200, timeoutMs: 5000, log });
    const { runner: r, runs, backoff } = runner(t, hook);
    r.send(A);
    await until(() => backoff.waits.length === 1);
    assert.deepEqual(runs, ['webhook:error']);
    backoff.release();
    await until(() => runs.length === 2);
    assert.deepEqual(runs, ['webhook:error', 'webhook:success']);
    assert.deepEqual(
      calls.map((c) => c.hash),
      [A, A],
    );
  });

  it('a success status of 0 takes any answer', async (t) => {
    const { url } = await receiver(t, (_, res) => {
      res.statusCode = 500;
      res.end();
    });
    await webhook({ url, method: 'POST', successStatus: 0, timeoutMs: 5000, log }).run(
      A,
      new AbortController().signal,
    );
    await assert.rejects(
      webhook({ url, method: 'POST', successStatus: 200, timeoutMs: 5000, log }).run(
        A,
        new AbortController().signal,
      ),
      /answered 500, not 200/,
    );
  });

  it('a long answer is read to its end, and only its start is kept for the error', async (t) => {
    const { url } = await receiver(t, (_, res) => {
      res.statusCode = 500;
      for (let i = 0; i < 64; i += 1) res.write('why'.padEnd(16 * 1024, '.'));
      res.end('the end');
    });
    await assert.rejects(
      webhook({ url, method: 'POST', successStatus: 200, timeoutMs: 5000, log }).run(
        A,
        new AbortController().signal,
      ),
      (error: Error) => {
        assert.match(error.message, /answered 500, not 200 \(GITSYNC_WEBHOOK_SUCCESS_STATUS\): "why\.+"$/);
        assert.ok(error.message.length < 400, `${error.message.length} characters`);
        return true;
      },
    );
  });

  it('a receiver that never answers times out, is retried, and does not hold up send', async (t) => {
    const { url, calls } = await receiver(t, () => {});
    const hook = webhook({ url, method: 'POST', successStatus: 200, timeoutMs: 300, log });
    await assert.rejects(hook.run(A, new AbortController().signal), /GITSYNC_WEBHOOK_TIMEOUT/);
    const { runner: r, backoff, runs } = runner(t, hook);
    r.send(A);
    await until(() => calls.length === 2);
    // The receiver is holding the call: the next commit is taken at once.
    r.send(B);
    await until(() => backoff.waits.length === 1);
    backoff.release();
    await until(() => calls.length === 3);
    assert.equal(calls[2]?.hash, B);
    assert.deepEqual(runs, ['webhook:error']);
  });
});

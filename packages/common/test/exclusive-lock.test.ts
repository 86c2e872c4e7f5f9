import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, tempDir } from '@fortune-sidecar/testing';
import { type ExclusiveLockOptions, holdExclusiveLock, LockHeldError } from '../src/exclusive-lock.ts';
import type { Logger } from '../src/log.ts';

const MODULE = fileURLToPath(new URL('../src/exclusive-lock.ts', import.meta.url));
// Timing never decides a test: a live holder beats far more often than a contender's patience.
const FAST = { heartbeatMs: 20, staleMs: 10_000 };

function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    info: (msg) => lines.push(msg),
    warn: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    error: (msg) => lines.push(msg),
  };
  return { log, lines };
}

async function lockIn(dir: string, options: Partial<ExclusiveLockOptions> = {}) {
  const { log, lines } = recordingLog();
  const lost: string[] = [];
  const lock = await holdExclusiveLock({
    service: 'test-service',
    path: join(dir, '.test.lock'),
    log,
    onLost: (reason) => lost.push(reason),
    ...FAST,
    ...options,
  });
  return { lock, lines, lost };
}

const holderIn = async (dir: string) => JSON.parse(await readFile(join(dir, '.test.lock'), 'utf8'));

/**
 * A lock file as a holder that is no longer beating would have left it, written whole (a
 * holder's heartbeat must never read it half-written).
 */
async function leftBehind(dir: string, pid: number, pidNamespace = readlinkSync('/proc/self/ns/pid')) {
  const holder = {
    service: 'test-service',
    pid,
    host: hostname(),
    pidNamespace,
    since: '2026-01-01T00:00:00.000Z',
    token: 'old',
  };
  await writeFile(join(dir, 'lock.tmp'), JSON.stringify(holder));
  await rename(join(dir, 'lock.tmp'), join(dir, '.test.lock'));
}

describe('exclusive lock on a folder', () => {
  it('refuses a second holder while the first is alive, naming the first', async () => {
    const dir = await tempDir();
    const first = await lockIn(dir);
    await assert.rejects(lockIn(dir), (error: Error) => {
      assert.ok(error instanceof LockHeldError);
      assert.match(error.message, new RegExp(`is held by test-service \\(pid ${process.pid} on host `));
      assert.match(error.message, /stop the other one, or give each its own folder/);
      return true;
    });
    assert.deepEqual(first.lost, [], 'the first keeps its lock');
    await first.lock.release();
  });

  it('ends a second process at start with exit 1 and one line', async () => {
    const dir = await tempDir();
    const first = await lockIn(dir);
    const script = `
      import { holdExclusiveLockOrExit } from ${JSON.stringify(MODULE)};
      const log = { info() {}, warn() {}, error() {} };
      await holdExclusiveLockOrExit({ service: 'test-service', path: process.argv[1], log, onLost() {}, staleMs: 10000 });
      console.log('held');`;
    // Not spawnSync: the first holder must keep beating meanwhile.
    const second = spawn(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
      join(dir, '.test.lock'),
    ]);
    let stdout = '';
    let stderr = '';
    second.stdout.on('data', (chunk) => (stdout += chunk));
    second.stderr.on('data', (chunk) => (stderr += chunk));
    const [status] = await once(second, 'exit');
    assert.equal(status, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^test-service: \S+\.test\.lock is held by test-service \(pid \d+ .*\n$/);
    await first.lock.release();
  });

  it('takes over at once a lock whose process on this host is gone (a SIGKILL, an OOM kill)', async () => {
    const dir = await tempDir();
    const gone = spawn('true');
    await once(gone, 'exit');
    await leftBehind(dir, gone.pid as number);
    const { lock, lines } = await lockIn(dir, { staleMs: 100 });
    assert.match(
      lines.join('\n'),
      new RegExp(
        `Took over a lock its holder no longer kept .*pid ${gone.pid} .*"why":"its process has ended"`,
      ),
    );
    assert.equal((await holderIn(dir)).pid, process.pid);
    await lock.release();
  });

  it('waits for the heartbeat of a holder on this host with a pid of another pid namespace (another container)', async () => {
    const dir = await tempDir();
    const gone = spawn('true');
    await once(gone, 'exit');
    await leftBehind(dir, gone.pid as number, 'pid:[1]');
    const { lock, lines } = await lockIn(dir, { staleMs: 100 });
    assert.match(
      lines.join('\n'),
      /Took over a lock its holder no longer kept .*"why":"its file did not change for 100 ms"/,
    );
    await lock.release();
  });

  it('takes over a lock left by an earlier run with this same pid (a restarted container) once it stops beating', async () => {
    const dir = await tempDir();
    await leftBehind(dir, process.pid);
    const { lock, lines } = await lockIn(dir, { staleMs: 100 });
    assert.match(
      lines.join('\n'),
      /Took over a lock its holder no longer kept .*"why":"its file did not change for 100 ms"/,
    );
    assert.notEqual((await holderIn(dir)).token, 'old');
    await lock.release();
  });

  it('tells its holder when another process has taken the lock over', async () => {
    const dir = await tempDir();
    const { lock, lost } = await lockIn(dir);
    await leftBehind(dir, 12345);
    const reason = await eventually(() => lost[0], { what: 'the holder to notice' });
    assert.match(reason, /\.test\.lock is now held by test-service \(pid 12345 /);
    await lock.release();
    assert.equal((await holderIn(dir)).token, 'old', 'release leaves another holder its file');
  });

  it('creates its file again when the folder was emptied under it', async () => {
    const dir = await tempDir();
    const { lock, lost } = await lockIn(dir);
    const token = (await holderIn(dir)).token;
    await rm(join(dir, '.test.lock'));
    await eventually(async () => ((await holderIn(dir)).token === token ? true : undefined), {
      what: 'the lock file again',
    });
    assert.deepEqual(lost, []);
    await lock.release();
  });

  it('removes its file on release, so that the next process gets the lock at once', async () => {
    const dir = await tempDir();
    const first = await lockIn(dir);
    await first.lock.release();
    assert.deepEqual(await readdir(dir), [], 'no lock file and no temporary file left');
    const second = await lockIn(dir, { staleMs: 3_600_000 });
    await second.lock.release();
  });

  it('keeps trying, with one warning, while the folder cannot take the file', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'volume');
    await writeFile(dir, 'a file where the folder should be');
    const { log, lines } = recordingLog();
    const held = holdExclusiveLock({
      service: 'test-service',
      path: join(dir, '.test.lock'),
      log,
      onLost() {},
      ...FAST,
    });
    await eventually(() => (lines.length > 0 ? true : undefined), { what: 'a warning' });
    await rm(dir);
    const lock = await held;
    assert.equal(lines.filter((line) => line.startsWith('Cannot take the lock yet')).length, 1);
    assert.equal((await holderIn(dir)).pid, process.pid);
    await lock.release();
  });
});

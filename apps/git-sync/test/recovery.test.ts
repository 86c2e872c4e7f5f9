// git-sync after what kills or starves git: an OOM kill of the whole container in the middle of
// a fetch, a disk that fills up during one, a remote that stops answering. Each leaves
// something behind (lock files, temporary objects, processes); git-sync removes it and syncs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  eventually,
  type GitServer,
  type Origin,
  resourceBounds,
  skipUnlessAvailable,
  smallDisk,
  startGitDaemon,
  startHttpGitServer,
  startService,
  startStallingProxy,
  tempDir,
} from '@fortune-sidecar/testing';
import { allProcesses, descendantsOf, isRunning, watchDescendants } from './helpers/processes.ts';

const bounds = resourceBounds('git-sync', import.meta.url);
const needsMount = await skipUnlessAvailable(['tmpfs-mount']);
const base = await tempDir('git-sync-recovery-');

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Everything under `dir` whose name starts with tmp_: the objects of a fetch that did not finish. */
async function temporaryObjects(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => name.split('/').at(-1)?.startsWith('tmp_'));
}

describe('git-sync recovers from an interrupted git', () => {
  let daemon: GitServer;
  let http: GitServer;
  let count = 0;
  before(async () => {
    daemon = await startGitDaemon(base);
    http = await startHttpGitServer(base);
  });
  after(async () => {
    await daemon.stop();
    await http.stop();
  });

  async function setUp(
    files: Record<string, string>,
  ): Promise<{ origin: Origin; name: string; root: string; first: string }> {
    count += 1;
    const name = `recovery-${count}.git`;
    const origin = await createOrigin(base, name);
    return { origin, name, root: join(base, `root-${count}`), first: await origin.commit(files) };
  }
  const start = (env: Record<string, string>) =>
    startService('git-sync', { GITSYNC_PERIOD: '100ms', ...env });
  const failures = (gitSync: ReturnType<typeof start>) =>
    gitSync.logs().filter((line) => line.msg.startsWith('Sync failed'));

  it('killed mid-fetch with all its processes, as an OOM kill does: the next start removes the lock git left and syncs at the first attempt', async () => {
    // Random bytes do not compress: a transfer long enough to be stopped in the middle.
    const { name, root, first } = await setUp({ 'site.bin': randomBytes(1_000_000).toString('base64') });
    const stalling = await startStallingProxy(daemon.port, 64 * 1024);
    after(() => stalling.stop());
    const killed = start({ GITSYNC_REPO: `git://127.0.0.1:${stalling.port}/${name}`, GITSYNC_ROOT: root });
    const lock = join(root, GIT_SYNC_LAYOUT.repo, 'shallow.lock');
    // git holds shallow.lock from the shallow part of the answer until the pack is in.
    await eventually(async () => ((await exists(lock)) ? true : undefined), {
      what: 'git in the middle of a shallow fetch',
    });
    const container = [
      killed.child.pid as number,
      ...descendantsOf(killed.child.pid as number, await allProcesses()).map((entry) => entry.pid),
    ];
    for (const pid of container) process.kill(pid, 'SIGKILL');
    await killed.exited;
    assert.ok(await exists(lock), 'the kill left shallow.lock behind');

    const restarted = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
    });
    assert.deepEqual(await restarted.exited, { code: 0, signal: null }, restarted.output.join('\n'));
    assert.deepEqual(failures(restarted), []);
    const removed = restarted
      .logs()
      .find((line) => line.msg.startsWith('Removed what an interrupted git command left'));
    assert.equal(removed?.files, 'shallow.lock');
    assert.ok(restarted.logs().some((line) => line.msg.endsWith(`to ${first}`)));
    bounds.push({
      tried: 'SIGKILL of git-sync and all its git processes in the middle of a shallow fetch',
      bound: 'the lock git left is removed and the next start syncs at its first attempt',
      measured: `synced at attempt ${failures(restarted).length + 1}, after ${container.length} processes were killed`,
    });
  });

  it('a disk that filled up during a fetch: what the fetch left is removed, and a smaller revision then syncs on the same disk', {
    skip: needsMount,
  }, async () => {
    const { origin, name, first } = await setUp({ 'index.txt': 'small\n' });
    const disk = await smallDisk('2m');
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: disk.path,
      GITSYNC_MAX_FAILURES: '-1',
    });
    await gitSync.waitForLog(`to ${first}`);

    // Random bytes do not compress: 3 MB of them cannot fit on a 2 MB disk.
    await origin.commit({ 'index.txt': 'big\n', 'big.bin': randomBytes(3_000_000).toString('base64') });
    await gitSync.waitForLog('Sync failed (1 in a row)');

    // The big revision is pushed over with a small one, and the disk is not grown.
    const small = await origin.rewrite({ 'index.txt': 'small again\n' });
    await gitSync.waitForLog(`to ${small}`);
    const failed = failures(gitSync).length;
    assert.deepEqual(await temporaryObjects(join(disk.path, GIT_SYNC_LAYOUT.repo, 'objects')), []);
    bounds.push({
      tried: 'a fetch that filled a 2 MB disk, then a force-push of a small revision',
      bound: 'no temporary object left after the failure; the small revision synced without more space',
      measured: `synced after ${failed} failed attempts, 0 temporary objects left`,
    });
  });

  it('sync timeouts against a remote that stalls leave no git process running', async () => {
    const { name, root } = await setUp({ 'index.txt': 'never served\n' });
    // The remote accepts the connection and answers a little, then nothing more.
    const stalling = await startStallingProxy(http.port, 100);
    after(() => stalling.stop());
    const timeouts = 5;
    const gitSync = start({
      GITSYNC_REPO: `http://127.0.0.1:${stalling.port}/${name}`,
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '10ms',
      GITSYNC_SYNC_TIMEOUT: '1s',
      GITSYNC_MAX_FAILURES: String(timeouts - 1),
    });
    const watch = watchDescendants(gitSync.child.pid as number);
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    const seen = (await watch.stop()).filter((entry) => entry.command.startsWith('git'));
    assert.equal(
      failures(gitSync).filter((line) => /GITSYNC_SYNC_TIMEOUT/.test(String(line.error))).length,
      timeouts,
    );
    assert.ok(seen.length > 0, 'saw the git processes');
    await eventually(
      async () => {
        const running = await Promise.all(seen.map(isRunning));
        return running.every((alive) => !alive) && stalling.connections() === 0 ? true : undefined;
      },
      { what: 'no git process of git-sync left running' },
    );
    bounds.push({
      tried: `${timeouts} sync timeouts against an HTTP remote that stalls`,
      bound: 'git processes left running: 0',
      measured: `0 of ${seen.length} git processes left running`,
    });
  });

  it('drops a remote that stops sending for GITSYNC_HTTP_STALL_TIMEOUT, however long the sync timeout', async () => {
    const { name, root } = await setUp({ 'index.txt': 'never served\n' });
    const stalling = await startStallingProxy(http.port, 100);
    after(() => stalling.stop());
    const gitSync = start({
      GITSYNC_REPO: `http://127.0.0.1:${stalling.port}/${name}`,
      GITSYNC_ROOT: root,
      GITSYNC_SYNC_TIMEOUT: '1h',
      GITSYNC_HTTP_STALL_TIMEOUT: '1s',
      GITSYNC_MAX_FAILURES: '0',
    });
    // The sync timeout, an hour away, would fail it with a message of its own: git's says who ended it.
    const failed = await gitSync.waitForLog('Sync failed');
    const [said] = /Operation too slow[^.]*/.exec(String(failed.error)) ?? [];
    assert.ok(said, `dropped as too slow, not: ${failed.error}`);
    bounds.push({
      tried: 'an HTTP remote that stops sending, with GITSYNC_HTTP_STALL_TIMEOUT=1s and a sync timeout of 1h',
      bound: 'the fetch is dropped as too slow, not left to the sync timeout',
      measured: `git said: ${said}`,
    });
  });
});

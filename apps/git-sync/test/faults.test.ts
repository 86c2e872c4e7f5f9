// git-sync as a process under the faults a sidecar meets: a remote that is not there yet or
// loses its branch, a full disk, a SIGKILL in the middle of a sync, and a stream of pushes.
// Through all of them, the link points at a whole revision, and git-sync recovers by itself.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  eventually,
  figures,
  freePort,
  type GitServer,
  type Origin,
  skipUnlessAvailable,
  smallDisk,
  startGitDaemon,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { failuresInARow, healthPort, probe } from './helpers/health.ts';

const outcomes = figures('git-sync-faults', [] as { fault: string; outcome: string }[]);
const needsMount = await skipUnlessAvailable(['tmpfs-mount']);
const base = await tempDir('git-sync-faults-');

describe('git-sync under faults', () => {
  let daemon: GitServer;
  let count = 0;
  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  async function origin(
    files: Record<string, string>,
  ): Promise<{ origin: Origin; name: string; first: string }> {
    count += 1;
    const name = `faults-${count}.git`;
    const made = await createOrigin(base, name);
    return { origin: made, name, first: await made.commit(files) };
  }
  const start = (env: Record<string, string>) =>
    startService('git-sync', { GITSYNC_PERIOD: '200ms', GITSYNC_HTTP_PORT: '0', ...env });
  const served = (root: string, file = 'index.txt') => readFile(join(root, 'html', file), 'utf8');
  const worktrees = async (root: string) => readdir(join(root, GIT_SYNC_LAYOUT.worktrees));

  it('remote unreachable at start: not ready, the failures counted, then synced as soon as it answers', async () => {
    const { name, first } = await origin({ 'index.txt': 'first\n' });
    const port = await freePort();
    const root = join(base, `root-${count}`);
    const gitSync = start({
      GITSYNC_REPO: `git://127.0.0.1:${port}/${name}`,
      GITSYNC_ROOT: root,
      GITSYNC_MAX_FAILURES: '-1',
    });
    const health = await healthPort(gitSync);
    await gitSync.waitForLog('Sync failed (2 in a row)');
    const notReady = await probe(health, '/readyz');
    assert.equal(notReady.status, 503);
    assert.match(notReady.body, /^not synced yet, last error: git fetch failed: fatal: unable to connect/);
    const alive = await probe(health, '/healthz');
    assert.ok(failuresInARow(alive.body) >= 2, alive.body);

    const late = await startGitDaemon(base, port);
    after(() => late.stop());
    await gitSync.waitForLog(`to ${first}`);
    assert.equal(await served(root), 'first\n');
    assert.deepEqual(await probe(health, '/readyz'), { status: 200, body: `synced to ${first}` });
    outcomes.push({
      fault: 'remote unreachable at start',
      outcome: 'not ready (503) with the error, failures counted; synced when the remote answered',
    });
  });

  it('branch deleted after a good sync: keeps the last revision, says why, and follows the branch when it is back', async () => {
    const { origin: made, name, first } = await origin({ 'index.txt': 'first\n' });
    await made.commit({ 'index.txt': 'on release\n' }, { branch: 'release' });
    const root = join(base, `root-${count}`);
    // Never giving up: however long the branch takes to come back on a busy machine.
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_REF: 'release',
      GITSYNC_MAX_FAILURES: '-1',
    });
    const health = await healthPort(gitSync);
    await gitSync.waitForLog(/^Synced /);
    assert.equal(await served(root), 'on release\n');

    await made.deleteBranch('release');
    await gitSync.waitForLog('Sync failed (1 in a row)');
    assert.equal(await served(root), 'on release\n');
    assert.match((await probe(health, '/healthz')).body, /failed syncs in a row, last error: .*release/);
    assert.equal((await probe(health, '/readyz')).status, 200, 'still serving the last revision');

    const back = await made.commit({ 'index.txt': 'release again\n' }, { branch: 'release' });
    await gitSync.waitForLog(`to ${back}`);
    assert.equal(await served(root), 'release again\n');
    assert.notEqual(back, first);
    outcomes.push({
      fault: 'branch deleted on the remote',
      outcome: 'last revision kept, /healthz says why; followed the branch when it came back',
    });
  });

  it('disk full during a sync: the last revision stays whole and published, and the next sync succeeds with space', {
    skip: needsMount,
  }, async () => {
    const { origin: made, name, first } = await origin({ 'index.txt': 'small\n' });
    const disk = await smallDisk('2m');
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: disk.path,
      GITSYNC_MAX_FAILURES: '-1',
    });
    const health = await healthPort(gitSync);
    await gitSync.waitForLog(`to ${first}`);

    // Random bytes do not compress: 3 MB of them cannot fit on a 2 MB disk.
    const big = await made.commit({
      'index.txt': 'big\n',
      'big.bin': randomBytes(3_000_000).toString('base64'),
    });
    await gitSync.waitForLog('Sync failed (1 in a row)');
    assert.equal(await served(disk.path), 'small\n');
    assert.equal(await readlink(join(disk.path, 'html')), `.gitsync/worktrees/${first}`);
    assert.match((await probe(health, '/healthz')).body, /failed syncs in a row, last error: /);

    await disk.resize('32m');
    await gitSync.waitForLog(`to ${big}`);
    assert.equal(await served(disk.path), 'big\n');
    assert.deepEqual(await probe(health, '/healthz'), { status: 200, body: '0 failed syncs in a row' });
    outcomes.push({
      fault: 'disk full (2 MB tmpfs, 4 MB revision)',
      outcome: 'last revision kept whole and published, /healthz says why; synced once the disk had space',
    });
  });

  it('SIGKILL at random moments of syncs: the link always points at a whole revision, and the next start repairs', async () => {
    // Enough files that a checkout takes a while, so that kills land inside one.
    const files = (revision: string) =>
      Object.fromEntries([
        ['index.txt', `${revision}\n`],
        ...Array.from({ length: 400 }, (_, i) => [`pages/${i}.txt`, `${revision} page ${i}\n`]),
      ]);
    const { origin: made, name } = await origin(files('revision 0'));
    const root = join(base, `root-${count}`);
    const env = { GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_PERIOD: '20ms' };
    let kills = 0;
    for (let round = 1; round <= 12; round += 1) {
      const gitSync = start(env);
      await made.commit(files(`revision ${round}`));
      await sleep(50 + Math.random() * 250);
      await gitSync.stop('SIGKILL');
      kills += 1;
      const link = await readlink(join(root, 'html')).catch(() => undefined);
      if (link === undefined) continue;
      const revision = (await served(root)).trim();
      assert.match(revision, /^revision \d+$/);
      assert.equal(
        await served(root, 'pages/399.txt'),
        `${revision} page 399\n`,
        'the whole revision, not a part',
      );
    }
    const last = await made.commit(files('revision last'));
    const gitSync = start(env);
    await gitSync.waitForLog(`to ${last}`);
    await eventually(async () => ((await worktrees(root)).length === 1 ? true : undefined), {
      what: 'one worktree left once the old ones are past their timeout',
    });
    assert.deepEqual((await readdir(root)).sort(), ['.gitsync', 'html']);
    assert.equal(await served(root, 'pages/0.txt'), 'revision last page 0\n');
    outcomes.push({
      fault: `SIGKILL during syncs (${kills} times)`,
      outcome: 'the link always pointed at a whole revision; the next start removed what was left and synced',
    });
  });

  it('a stream of pushes: every revision published whole, and old worktrees never pile up', async () => {
    const { origin: made, name } = await origin({ 'index.txt': 'push 0\n' });
    const root = join(base, `root-${count}`);
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '50ms',
      GITSYNC_STALE_WORKTREE_TIMEOUT: '200ms',
    });
    let most = 0;
    let last = '';
    for (let push = 1; push <= 30; push += 1) {
      last = await made.commit({ 'index.txt': `push ${push}\n` });
      await sleep(40);
      most = Math.max(most, (await worktrees(root).catch(() => [])).length);
    }
    await gitSync.waitForLog(`to ${last}`);
    await eventually(async () => ((await worktrees(root)).length === 1 ? true : undefined), {
      what: 'the old worktrees removed',
    });
    assert.ok(most <= 8, `at most ${most} worktrees at once`);
    assert.equal(await served(root), 'push 30\n');
    outcomes.push({
      fault: '30 pushes, 40 ms apart',
      outcome: 'the last one published; never more than 8 worktrees at once, 1 once past their timeout',
    });
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  eventually,
  figures,
  freePort,
  type GitServer,
  type Origin,
  startGitDaemon,
  startService,
  startSilentServer,
  startStallingProxy,
  tempDir,
} from '@fortune-sidecar/testing';
import { failuresInARow, healthPort, probe } from './helpers/health.ts';

const base = await tempDir('git-sync-app-');
const outcomes = figures('git-sync-recovery', [] as { fault: string; outcome: string }[]);

describe('git-sync', () => {
  let daemon: GitServer;
  let count = 0;

  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  /** A fresh origin with one commit and a GITSYNC_ROOT for it. */
  async function setUp(): Promise<{ origin: Origin; first: string; root: string; name: string }> {
    count += 1;
    const name = `origin-${count}.git`;
    const origin = await createOrigin(base, name);
    const first = await origin.commit({ 'index.txt': 'first\n' });
    return { origin, first, name, root: join(base, `root-${count}`) };
  }

  const start = (env: Record<string, string>) => startService('git-sync', env);
  const synced = (commit: string) => ` to ${commit}`;
  const errors = (gitSync: ReturnType<typeof start>) =>
    gitSync.logs().filter((line) => line.level === 'error');
  const messages = (gitSync: ReturnType<typeof start>) => gitSync.logs().map((line) => line.msg);

  it('publishes the branch, follows new and force-pushed commits, and removes old worktrees after GITSYNC_STALE_WORKTREE_TIMEOUT', async () => {
    const { origin, first, name, root } = await setUp();
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '300ms',
      GITSYNC_STALE_WORKTREE_TIMEOUT: '600ms',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    const line = await gitSync.waitForLog(synced(first));
    assert.equal(line.msg, `Synced ${daemon.url(name)} HEAD to ${first}`);
    assert.equal(await readlink(join(root, 'html')), `.gitsync/worktrees/${first}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'first\n');
    assert.deepEqual(await probe(port, '/readyz'), { status: 200, body: `synced to ${first}` });
    assert.deepEqual(await probe(port, '/healthz'), { status: 200, body: '0 failed syncs in a row' });

    const second = await origin.commit({ 'index.txt': 'second\n' });
    await gitSync.waitForLog(synced(second));
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second\n');

    // How long the old worktree is kept is the publisher's clock's to say (sync.test.ts moves it);
    // here, that the setting reaches it, and that the worktree goes only once it is unlinked.
    const removed = await gitSync.waitForLog(`Removed worktree ${first}`);
    assert.equal(removed.msg, `Removed worktree ${first}, unlinked for more than 600ms`);
    const said = messages(gitSync);
    assert.ok(said.indexOf(removed.msg) > said.indexOf(`Synced ${daemon.url(name)} HEAD to ${second}`));
    assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [second]);

    const rewritten = await origin.rewrite({ 'index.txt': 'second, rewritten\n' });
    await gitSync.waitForLog(synced(rewritten));
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second, rewritten\n');

    const stopped = await gitSync.stop('SIGTERM');
    assert.deepEqual([stopped.code, stopped.signal], [0, null]);
    assert.ok(messages(gitSync).includes('SIGTERM received, shutting down'));
    assert.deepEqual((await readdir(root)).sort(), ['.gitsync', 'html']);
    assert.deepEqual(
      gitSync.logs().filter((line) => line.level !== 'info'),
      [],
      'no warnings or errors on the way',
    );
    outcomes.push({ fault: 'force-push', outcome: 'the rewritten tip published at a following sync' });
  });

  it('keeps serving the last good commit while the server is down, counts the failures, and recovers', async () => {
    const { origin, first, name, root } = await setUp();
    const own = await startGitDaemon(base, await freePort());
    const gitSync = start({
      GITSYNC_REPO: own.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '200ms',
      GITSYNC_MAX_FAILURES: '10',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    await gitSync.waitForLog(synced(first));

    await own.stop();
    await gitSync.waitForLog('Sync failed (2 in a row)');
    const health = await probe(port, '/healthz');
    assert.equal(health.status, 200);
    assert.ok(failuresInARow(health.body) >= 2, health.body);
    assert.match(
      health.body,
      /failed syncs in a row, last error: git fetch failed: fatal: unable to connect to 127\.0\.0\.1/,
    );
    assert.deepEqual(await probe(port, '/readyz'), { status: 200, body: `synced to ${first}` });
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'first\n');

    const second = await origin.commit({ 'index.txt': 'second\n' });
    const back = await startGitDaemon(base, own.port);
    after(() => back.stop());
    await gitSync.waitForLog(synced(second));
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second\n');
    assert.deepEqual(await probe(port, '/healthz'), { status: 200, body: '0 failed syncs in a row' });
    assert.equal((await gitSync.stop()).code, 0);
    outcomes.push({
      fault: 'remote gone after a good sync',
      outcome: 'last revision kept and ready, failures counted on /healthz; recovered when it was back',
    });
  });

  it('exits with 1 after more than GITSYNC_MAX_FAILURES failures in a row', async () => {
    const { root } = await setUp();
    const gitSync = start({
      GITSYNC_REPO: `git://127.0.0.1:${await freePort()}/nothing.git`,
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '50ms',
      GITSYNC_MAX_FAILURES: '2',
    });
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    assert.deepEqual(
      errors(gitSync).map((line) => line.msg),
      [
        'Sync failed (1 in a row), keeping what is published, retrying in 50ms',
        'Sync failed (2 in a row), keeping what is published, retrying in 100ms',
        'Sync failed 3 times in a row, more than GITSYNC_MAX_FAILURES=2: giving up',
      ],
    );
  });

  describe('in one-time mode (an init container)', () => {
    it('publishes once and exits with 0', async () => {
      const { first, name, root } = await setUp();
      const gitSync = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_ONE_TIME: 'true' });
      assert.deepEqual(await gitSync.exited, { code: 0, signal: null });
      assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'first\n');
      assert.ok(gitSync.logs().some((line) => line.msg.endsWith(synced(first))));
    });

    it('exits with 1 when it could not sync', async () => {
      const { name, root } = await setUp();
      const gitSync = start({
        GITSYNC_REPO: daemon.url(name),
        GITSYNC_REF: 'no-such-branch',
        GITSYNC_ROOT: root,
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_PERIOD: '50ms',
        GITSYNC_MAX_FAILURES: '1',
      });
      assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
      assert.match(String(errors(gitSync).at(-1)?.error), /couldn't find remote ref no-such-branch/);
      await assert.rejects(readlink(join(root, 'html')), { code: 'ENOENT' });
    });
  });

  it('repairs what a killed git-sync left: a temporary link, a half-written worktree, a dangling link', async () => {
    const { origin, first, name, root } = await setUp();
    const once = { GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_ONE_TIME: 'true' };
    assert.equal((await start(once).exited).code, 0);

    const second = await origin.commit({ 'index.txt': 'second\n' });
    const worktrees = join(root, GIT_SYNC_LAYOUT.worktrees);
    await symlink(`.gitsync/worktrees/${second}`, join(root, '.git-sync-html-a1b2c3d4e5f6.tmp'));
    await mkdir(join(worktrees, `.git-sync-${second}-a1b2c3d4e5f6.tmp`));
    await writeFile(join(worktrees, `.git-sync-${second}-a1b2c3d4e5f6.tmp`, 'index.txt'), 'sec');
    await rm(join(worktrees, first), { recursive: true });

    const gitSync = start(once);
    assert.deepEqual(await gitSync.exited, { code: 0, signal: null });
    const said = gitSync
      .logs()
      .map((line) => line.msg)
      .join('\n');
    assert.match(said, /Removed \.git-sync-html-a1b2c3d4e5f6\.tmp, left by an interrupted link swap/);
    assert.match(said, /left by an interrupted checkout/);
    assert.match(said, /points to the missing \.gitsync\/worktrees\//);
    assert.deepEqual((await readdir(root)).sort(), ['.gitsync', 'html']);
    assert.deepEqual(await readdir(worktrees), [second]);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second\n');
    outcomes.push({
      fault: 'crash leftovers: a temporary link, a half-written worktree, a dangling link',
      outcome: 'all removed or repaired at the next start, then synced',
    });
  });

  // A fetch from a remote that never answers ends only when git-sync stops git: had it waited
  // for the fetch, its shutdown would have timed out and exited with 1.
  it('is not ready before its first sync, and on SIGTERM stops the running git and exits 0 by itself', async () => {
    const { name, root } = await setUp();
    const hanging = await startStallingProxy(daemon.port, 0);
    after(() => hanging.stop());
    const gitSync = start({
      GITSYNC_REPO: `git://127.0.0.1:${hanging.port}/${name}`,
      GITSYNC_ROOT: root,
      GITSYNC_SYNC_TIMEOUT: '1h',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    await eventually(() => (hanging.connections() > 0 ? true : undefined), {
      what: 'git fetching from the remote that hangs',
    });
    assert.deepEqual(await probe(port, '/readyz'), { status: 503, body: 'not synced yet' });
    const stopped = await gitSync.stop('SIGTERM');
    assert.deepEqual([stopped.code, stopped.signal], [0, null]);
    assert.ok(messages(gitSync).includes('SIGTERM received, shutting down'));
    assert.deepEqual(errors(gitSync), []);
    await eventually(() => (hanging.connections() === 0 ? true : undefined), {
      what: 'the connection of the stopped git closed',
    });
    assert.deepEqual(await readdir(root), ['.gitsync']);
    outcomes.push({
      fault: 'SIGTERM during a sync',
      outcome: 'git stopped, exit 0 by itself, nothing half-published',
    });
  });

  it('fails a sync that takes longer than GITSYNC_SYNC_TIMEOUT', async () => {
    const silent = await startSilentServer();
    after(() => silent.stop());
    const { root } = await setUp();
    const gitSync = start({
      GITSYNC_REPO: silent.url('hangs.git'),
      GITSYNC_ROOT: root,
      GITSYNC_SYNC_TIMEOUT: '300ms',
      GITSYNC_MAX_FAILURES: '0',
    });
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    assert.equal(errors(gitSync).at(-1)?.error, 'the sync took longer than 300ms (GITSYNC_SYNC_TIMEOUT)');
  });

  it('warns about GITSYNC_ variables it does not know', async () => {
    const { name, root } = await setUp();
    const gitSync = start({
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_PERIODE: '1s',
    });
    await gitSync.exited;
    const warning = gitSync.logs().find((line) => line.level === 'warn');
    assert.equal(warning?.msg, 'Ignoring unknown variables (misspelled?)');
    assert.equal(warning?.variables, 'GITSYNC_PERIODE');
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  eventually,
  figures,
  freePort,
  type GitServer,
  git,
  metricValue,
  type Origin,
  scrapeMetrics,
  startGitDaemon,
  startService,
  startSilentServer,
  startStallingProxy,
  tempDir,
} from '@fortune-sidecar/testing';
import { gitDaemonForSuite } from './helpers/daemon.ts';
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

/**
 * A TCP proxy to 127.0.0.1:`target` that holds each connection, the client's request unread,
 * until `open()` lets it through: a fetch as slow as the test wants, with no clock involved.
 * `hold()` holds the connections that come after it again.
 */
async function startGate(target: number) {
  const held: Socket[] = [];
  const sockets = new Set<Socket>();
  let open = false;
  const pass = (client: Socket) => {
    const upstream = createConnection(target, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  };
  const server = createServer((client) => {
    sockets.add(client);
    if (open) pass(client);
    else held.push(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (name: string) => `git://127.0.0.1:${port}/${name}`,
    /** Connections waiting for open(). */
    held: () => held.filter((client) => !client.destroyed).length,
    open() {
      open = true;
      for (const client of held.splice(0)) pass(client);
    },
    hold() {
      open = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// upstream: sync_slow_git_long_timeout. Upstream's slow git sleeps before each fetch; here the
// fetch waits at a gate until the test opens it, many periods later, within the sync timeout.
describe('git-sync with fetches slower than the period', () => {
  let daemon: GitServer;
  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  it('waits for a slow fetch within GITSYNC_SYNC_TIMEOUT, starting no other meanwhile, and counts one fetch per new commit', async () => {
    const origin = await createOrigin(base, 'slow.git');
    const first = await origin.commit({ 'index.txt': 'first\n' });
    const gate = await startGate(daemon.port);
    after(() => gate.stop());
    const root = join(base, 'slow-root');
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: gate.url('slow.git'),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '100ms',
      GITSYNC_SYNC_TIMEOUT: '1h',
      GITSYNC_MAX_FAILURES: '0',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    const url = `http://127.0.0.1:${port}/`;
    await eventually(() => (gate.held() > 0 ? true : undefined), { what: 'the first fetch at the gate' });
    assert.deepEqual(await probe(port, '/readyz'), { status: 503, body: 'not synced yet' });
    assert.equal(gate.held(), 1, 'one fetch at a time');
    gate.open();
    await gitSync.waitForLog(` to ${first}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'first\n');
    let text = await scrapeMetrics(url);
    assert.equal(metricValue(text, 'git_sync_count_total{status="success"}'), 1);
    assert.equal(metricValue(text, 'git_fetch_count_total'), 1);

    gate.hold();
    const second = await origin.commit({ 'index.txt': 'second\n' });
    await eventually(() => (gate.held() > 0 ? true : undefined), { what: 'a fetch at the gate again' });
    assert.equal(gate.held(), 1, 'one fetch at a time');
    gate.open();
    await gitSync.waitForLog(` to ${second}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second\n');
    text = await scrapeMetrics(url);
    assert.equal(metricValue(text, 'git_sync_count_total{status="success"}'), 2);
    assert.equal(metricValue(text, 'git_fetch_count_total'), 2);
    assert.equal(metricValue(text, 'git_sync_count_total{status="error"}') ?? 0, 0);
    assert.equal((await gitSync.stop('SIGTERM')).code, 0);
  });
});

// Upstream's cases that sync once (an init container), then start again on the same root with
// other settings: each start must publish what its own settings name.
describe('git-sync started again with other settings', () => {
  const daemon = gitDaemonForSuite(base);

  async function setUp() {
    const { origin, root, url } = await daemon.freshOrigin('restart');
    /** One one-time run on the root; it must exit with 0. */
    const once = async (env: Record<string, string> = {}) => {
      const run = startService('git-sync', {
        GITSYNC_REPO: url,
        GITSYNC_ROOT: root,
        GITSYNC_LINK: 'link',
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_MAX_FAILURES: '0',
        ...env,
      });
      const exit = await run.exited;
      assert.deepEqual(
        exit,
        { code: 0, signal: null },
        JSON.stringify(run.logs().filter((line) => line.level !== 'info')),
      );
      return run;
    };
    return {
      origin,
      root,
      url,
      once,
      served: () => readFile(join(root, 'link', 'file'), 'utf8'),
      history: () => git(join(root, 'link'), 'rev-list', '--count', 'HEAD'),
    };
  }

  // upstream: sync_branch_switch
  it('publishes the other branch GITSYNC_REF names after a restart', async () => {
    const { origin, once, served } = await setUp();
    await origin.commit({ file: 'main\n' });
    await once({ GITSYNC_REF: 'main', GITSYNC_DEPTH: '1' });
    assert.equal(await served(), 'main\n');
    await origin.commit({ file: 'main2\n' }, { branch: 'main2' });
    await once({ GITSYNC_REF: 'main2' });
    assert.equal(await served(), 'main2\n');
  });

  // upstream: sync_repo_switch
  it('publishes the other repository GITSYNC_REPO names after a restart', async () => {
    const { origin, once, served } = await setUp();
    await origin.commit({ file: 'one repository\n' });
    await once();
    assert.equal(await served(), 'one repository\n');
    const { origin: other, url: otherUrl } = await daemon.freshOrigin('other');
    const otherCommit = await other.commit({ file: 'another repository\n' });
    const run = await once({ GITSYNC_REPO: otherUrl });
    assert.equal(await served(), 'another repository\n');
    assert.ok(run.logs().some((line) => line.msg.endsWith(` to ${otherCommit}`)));
  });

  // upstream: sync_sha_once_sync_different_sha_unknown
  it('fetches a commit hash its repository does not have yet, not at the tip of the branch', async () => {
    const { origin, once, served } = await setUp();
    const sha1 = await origin.commit({ file: '1\n' });
    await once({ GITSYNC_REF: sha1 });
    assert.equal(await served(), '1\n');
    const sha2 = await origin.commit({ file: '2\n' });
    await origin.commit({ file: '3\n' });
    await once({ GITSYNC_REF: sha2 });
    assert.equal(await served(), '2\n');
  });

  // upstream: sync_sha_once_sync_different_sha_known
  it('publishes a commit hash its repository already has', async () => {
    const { origin, once, served } = await setUp();
    const sha1 = await origin.commit({ file: '1\n' });
    const sha2 = await origin.commit({ file: '2\n' });
    await origin.commit({ file: '3\n' });
    await once({ GITSYNC_DEPTH: '0' });
    assert.equal(await served(), '3\n');
    await once({ GITSYNC_REF: sha1 });
    assert.equal(await served(), '1\n');
    await once({ GITSYNC_REF: sha2 });
    assert.equal(await served(), '2\n');
  });

  // upstream: sync_sha_shafile_exists, with the file both where upstream would check the commit
  // out (the root) and where this git-sync does.
  it("publishes a commit hash although a file of the commit's name is in the way", async () => {
    const { origin, root, once, served } = await setUp();
    const sha1 = await origin.commit({ file: '1\n' });
    const sha2 = await origin.commit({ file: '2\n' });
    await once({ GITSYNC_REF: sha1 });
    assert.equal(await served(), '1\n');
    await writeFile(join(root, sha2), '');
    await writeFile(join(root, GIT_SYNC_LAYOUT.worktrees, sha2), '');
    await once({ GITSYNC_REF: sha2 });
    assert.equal(await served(), '2\n');
    assert.equal(await readlink(join(root, 'link')), `${GIT_SYNC_LAYOUT.worktrees}/${sha2}`);
  });

  // upstream: sync_depth_default_shallow, sync_depth_change_on_restart; then the same for a commit
  // hash the repository already has, which the first sync of a start fetches again for its depth.
  it('publishes GITSYNC_DEPTH commits of history, 1 by default, whatever the depth of the run before', async () => {
    const { origin, once, history } = await setUp();
    let tip = '';
    for (const n of [1, 2, 3]) tip = await origin.commit({ file: `${n}\n` });
    await once();
    assert.equal(await history(), '1');
    await once({ GITSYNC_DEPTH: '2' });
    assert.equal(await history(), '2');
    await once({ GITSYNC_DEPTH: '1' });
    assert.equal(await history(), '1');
    await once({ GITSYNC_DEPTH: '0' });
    assert.equal(await history(), '3');
    await once({ GITSYNC_REF: tip, GITSYNC_DEPTH: '1' });
    assert.equal(await history(), '1');
    await once({ GITSYNC_REF: tip, GITSYNC_DEPTH: '0' });
    assert.equal(await history(), '3');
  });

  // upstream: expose_http_after_restart
  it('is ready once the first sync after a restart finds the commit already published', async () => {
    const { origin, root, url, once, served } = await setUp();
    const first = await origin.commit({ file: 'hello\n' });
    await once();
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: url,
      GITSYNC_ROOT: root,
      GITSYNC_LINK: 'link',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    await gitSync.waitForLog('which is already published');
    assert.deepEqual(await probe(port, '/readyz'), { status: 200, body: `synced to ${first}` });
    assert.deepEqual(await probe(port, '/healthz'), { status: 200, body: '0 failed syncs in a row' });
    assert.equal(await served(), 'hello\n');
    assert.equal((await gitSync.stop('SIGTERM')).code, 0);
  });
});

// What disturbs the worktrees under git-sync, as the end-to-end suite of kubernetes/git-sync
// (test_e2e.sh) describes it: a published worktree deleted, a folder of the next commit's name
// that is no checkout of it, a commit made inside the published tree, junk in the worktrees
// folder, and old worktrees across restarts. Real repositories, served by a real git daemon.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger, GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  type GitServer,
  git,
  type Origin,
  startGitDaemon,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { UNLINKED_FILE } from '../src/publish.ts';
import { gitDaemonForSuite } from './helpers/daemon.ts';
import { syncFrom } from './helpers/sync-from.ts';

const base = await tempDir('git-sync-worktrees-');

describe('worktrees disturbed under git-sync', () => {
  let daemon: GitServer;
  let count = 0;

  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  /**
   * A fresh origin and GITSYNC_ROOT. `start()` is one start of git-sync on that root (a new
   * publisher and sync, as after a restart), on the clock that `clock.now` sets.
   */
  async function setUp(staleWorktreeTimeoutMs = 10_000, rootAt?: (count: number) => string) {
    count += 1;
    const name = `origin-${count}.git`;
    const origin: Origin = await createOrigin(base, name);
    const root = rootAt?.(count) ?? join(base, `root-${count}`);
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line) });
    const clock = { now: 0 };
    async function start() {
      const { sync } = await syncFrom(daemon, name, {
        root,
        link: 'link',
        staleWorktreeTimeoutMs,
        log,
        now: () => clock.now,
      });
      return sync;
    }
    const worktrees = join(root, GIT_SYNC_LAYOUT.worktrees);
    return {
      origin,
      root,
      lines,
      clock,
      start,
      worktrees,
      worktree: (commit: string) => join(worktrees, commit),
      served: (file = 'file') => readFile(join(root, 'link', file), 'utf8'),
      linked: () => readlink(join(root, 'link')),
      listed: async () => (await readdir(worktrees)).sort(),
    };
  }

  // upstream: init_root_exists_empty, init_root_flag_has_symlink, init_root_is_under_another_repo
  it('publishes into a root that exists empty, one reached through a symbolic link, and one inside another repository', async () => {
    const empty = await setUp(0, (n) => join(base, `empty-${n}`));
    await mkdir(empty.root);
    await empty.origin.commit({ file: 'empty\n' });
    assert.equal((await (await empty.start())()).changed, true);
    assert.equal(await empty.served(), 'empty\n');

    const linked = await setUp(0, (n) => join(base, `rootlink-${n}`));
    await mkdir(join(base, `subdir-${count}`));
    await symlink(join(base, `subdir-${count}`), linked.root);
    await linked.origin.commit({ file: 'through a link\n' });
    assert.equal((await (await linked.start())()).changed, true);
    assert.equal(await readFile(join(base, `subdir-${count}`, 'link', 'file'), 'utf8'), 'through a link\n');

    const nested = await setUp(0, (n) => join(base, `outer-${n}`, 'root'));
    await mkdir(nested.root, { recursive: true });
    await writeFile(join(nested.root, 'file'), 'not empty\n');
    await git(join(base, `outer-${count}`), 'init', '--quiet');
    const first = await nested.origin.commit({ file: 'nested\n' });
    const sync = await nested.start();
    assert.equal((await sync()).changed, true);
    assert.equal(await nested.served(), 'nested\n');
    // Checked against its own repository, not the one around the root: nothing to publish again.
    assert.deepEqual(await sync(), { commit: first, changed: false });
  });

  // upstream: worktree_unexpected_removal
  it('a published worktree deleted under a running git-sync is checked out again at the next sync', async () => {
    const { origin, start, worktree, worktrees, served, linked, lines } = await setUp();
    const first = await origin.commit({ file: 'one\n' });
    const sync = await start();
    await sync();
    await rm(worktree(first), { recursive: true });
    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.equal(await linked(), `.gitsync/worktrees/${first}`);
    assert.equal(await served(), 'one\n');
    assert.deepEqual(await sync(), { commit: first, changed: false });

    await rm(worktrees, { recursive: true });
    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.equal(await served(), 'one\n');
    assert.doesNotMatch(lines.join('\n'), /Could not remove old worktrees/);
  });

  // upstream: sync_crash_no_worktree_cleanup_retry
  it('the whole worktrees folder deleted between two starts: the next start publishes again', async () => {
    const { origin, start, worktrees, served, linked } = await setUp();
    const first = await origin.commit({ file: 'one\n' });
    await (await start())();
    await rm(worktrees, { recursive: true });
    assert.deepEqual(await (await start())(), { commit: first, changed: true });
    assert.equal(await linked(), `.gitsync/worktrees/${first}`);
    assert.equal(await served(), 'one\n');
  });

  // upstream: sync_crash_no_link_cleanup_retry
  it('the link deleted between two starts: the next start links the worktree again', async () => {
    const { origin, start, root, served } = await setUp();
    await origin.commit({ file: 'one\n' });
    await (await start())();
    await rm(join(root, 'link'));
    assert.equal((await (await start())()).changed, true);
    assert.equal(await served(), 'one\n');
  });

  // upstream: worktree_cleanup
  it("a worktree of another repository with the next commit's name, left unchecked-out, and junk: replaced and removed", async () => {
    const { origin, start, worktree, worktrees, served, listed, lines } = await setUp();
    const first = await origin.commit({ file: 'one\n' });
    const sync = await start();
    await sync();
    const second = await origin.commit({ file2: 'two\n' });
    // The origin's own working clone makes it: another repository, and an empty checkout.
    await origin.git('worktree', 'add', '--quiet', '--no-checkout', '-b', 'e2e', worktree(second));
    await mkdir(join(worktrees, 'not_a_hash', 'subdir'), { recursive: true });
    await writeFile(join(worktrees, 'not_a_directory'), '');
    const outside = join(base, `outside-${second}`);
    await mkdir(outside);
    await writeFile(join(outside, 'keep'), 'kept\n');
    await symlink(outside, join(worktrees, 'a_link_out'));

    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served('file2'), 'two\n');
    assert.equal(await served(), 'one\n');
    assert.deepEqual(await listed(), [first, second].sort());
    // The symbolic link went, not what it pointed to.
    assert.equal(await readFile(join(outside, 'keep'), 'utf8'), 'kept\n');
    assert.match(
      lines.join('\n'),
      new RegExp(`worktrees/${second} is not a sound checkout \\(another repository\\)`),
    );
    assert.match(
      lines.join('\n'),
      /Removed \.gitsync\/worktrees\/not_a_hash, which is not a worktree of git-sync/,
    );
  });

  it("an empty checkout of the next commit from git-sync's own repository is not published as it is", async () => {
    const { origin, root, start, worktree, served, lines } = await setUp();
    await origin.commit({ file: 'one\n' });
    const sync = await start();
    await sync();
    const second = await origin.commit({ file: 'two\n' });
    const repo = join(root, GIT_SYNC_LAYOUT.repo);
    await git(repo, 'fetch', '--quiet', daemon.url(`origin-${count}.git`), 'main');
    await git(repo, 'worktree', 'add', '--quiet', '--no-checkout', '--detach', worktree(second), second);

    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served(), 'two\n');
    assert.match(lines.join('\n'), new RegExp(`worktrees/${second} is not a sound checkout \\(changed\\)`));
  });

  // upstream: sync_recover_wrong_worktree_hash
  it('a commit made inside the published worktree: the right commit is published again at the next sync', async () => {
    const { origin, start, root, served, worktree } = await setUp();
    const first = await origin.commit({ file: 'one\n' });
    const sync = await start();
    await sync();
    await writeFile(join(root, 'link', 'file'), 'unexpected\n');
    await git(join(root, 'link'), 'commit', '--quiet', '-am', 'corrupt it');
    assert.notEqual(await git(worktree(first), 'rev-parse', 'HEAD'), first);

    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.equal(await served(), 'one\n');
    assert.equal(await git(join(root, 'link'), 'rev-parse', 'HEAD'), first);
  });

  // upstream: stale_worktree_timeout
  it('removes each unlinked worktree once it has been unlinked for GITSYNC_STALE_WORKTREE_TIMEOUT', async () => {
    const { origin, start, clock, served, listed } = await setUp(5000);
    const wt1 = await origin.commit({ file: '1\n' });
    const sync = await start();
    await sync();
    clock.now = 2000;
    const wt2 = await origin.commit({ file2: '2\n' });
    await sync();
    clock.now = 4000;
    const wt3 = await origin.commit({ file3: '3\n' });
    await sync();
    assert.deepEqual(await listed(), [wt1, wt2, wt3].sort());
    clock.now = 8000;
    await sync();
    assert.deepEqual(await listed(), [wt2, wt3].sort());
    clock.now = 9000;
    await sync();
    assert.deepEqual(await listed(), [wt3]);
    assert.equal(await served('file3'), '3\n');
  });

  // upstream: stale_worktree_timeout_restart
  it('counts the stale timeout across restarts, so that one-time runs remove old worktrees too', async () => {
    const { origin, start, clock, root, served, listed } = await setUp(10_000);
    const once = async () => (await start())();
    const wt1 = await origin.commit({ file: '1\n' });
    await once();
    clock.now = 2000;
    const wt2 = await origin.commit({ file2: '2\n' });
    await once();
    assert.deepEqual(await listed(), [wt1, wt2].sort());
    clock.now = 6000;
    const wt3 = await origin.commit({ file3: '3\n' });
    await once();
    assert.deepEqual(await listed(), [wt1, wt2, wt3].sort());
    // wt1 unlinked at 2 s, wt2 at 6 s.
    clock.now = 14_000;
    await once();
    assert.deepEqual(await listed(), [wt2, wt3].sort());
    clock.now = 18_000;
    await once();
    assert.deepEqual(await listed(), [wt3]);
    assert.equal(await served('file3'), '3\n');
    assert.deepEqual(
      JSON.parse(await readFile(join(root, GIT_SYNC_LAYOUT.state, UNLINKED_FILE), 'utf8')),
      {},
    );
  });

  it('a record of unlinked worktrees that cannot be used: a warning, and the timeout counted from this start', async () => {
    const { origin, start, clock, root, listed, lines } = await setUp(10_000);
    const wt1 = await origin.commit({ file: '1\n' });
    await (await start())();
    const wt2 = await origin.commit({ file: '2\n' });
    await (await start())();
    await writeFile(join(root, GIT_SYNC_LAYOUT.state, UNLINKED_FILE), '{"not json');
    clock.now = 9000;
    const sync = await start();
    assert.match(lines.join('\n'), /unlinked\.json cannot be read/);
    clock.now = 18_999;
    await sync();
    assert.deepEqual(await listed(), [wt1, wt2].sort());
    clock.now = 19_000;
    await sync();
    assert.deepEqual(await listed(), [wt2]);
  });
});

describe('one-time runs of git-sync (an init container) on a disturbed root', () => {
  const daemon = gitDaemonForSuite(base);

  async function setUp() {
    const { origin, root, url } = await daemon.freshOrigin('process');
    const env = {
      GITSYNC_REPO: url,
      GITSYNC_ROOT: root,
      GITSYNC_LINK: 'link',
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
    };
    return {
      origin,
      root,
      once: (more: Record<string, string> = {}) => startService('git-sync', { ...env, ...more }),
    };
  }

  // upstream: init_root_fails_sanity. The root itself a repository whose HEAD names no branch:
  // git-sync's own repository is .gitsync/repo.git, and git never looks past it.
  it('publishes into a root that is a broken git repository of its own', async () => {
    const { origin, root, once } = await setUp();
    await git(base, 'init', '--quiet', root);
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/nonexist\n');
    const commit = await origin.commit({ file: 'into a broken repository\n' });
    assert.deepEqual(await once().exited, { code: 0, signal: null });
    assert.equal(await readlink(join(root, 'link')), `${GIT_SYNC_LAYOUT.worktrees}/${commit}`);
    assert.equal(await readFile(join(root, 'link', 'file'), 'utf8'), 'into a broken repository\n');
  });

  // upstream: v3_v4_upgrade_in_place. A root that upstream git-sync used: its repository in
  // ROOT/.git, the link to its worktree, ROOT/<hash> (v3) or ROOT/.worktrees/<hash> (v4). This
  // git-sync keeps upstream's link while it has nothing to publish, then swaps it to a checkout of
  // its own; upstream's folders are not its own and are left where they are (upstream v4 removes
  // v3's worktree).
  for (const [version, folder] of [
    ['v3', ''],
    ['v4', '.worktrees'],
  ] as const)
    it(`takes over a root where upstream git-sync ${version} published, without losing its tree meanwhile`, async () => {
      const { origin, root, once } = await setUp();
      const first = await origin.commit({ file: `${version} 1\n` });
      await git(base, 'init', '--quiet', root);
      await git(root, 'fetch', '--quiet', origin.bare, 'main');
      await git(root, 'worktree', 'add', '--quiet', '--detach', join(root, folder, first), first);
      await symlink(join(folder, first), join(root, 'link'));

      // No sync yet (the repository cannot be reached): upstream's tree stays published.
      const failed = once({ GITSYNC_REPO: `${origin.bare}-gone`, GITSYNC_ALLOW_LOCAL: 'true' });
      assert.equal((await failed.exited).code, 1);
      assert.equal(await readlink(join(root, 'link')), join(folder, first));
      assert.equal(await readFile(join(root, 'link', 'file'), 'utf8'), `${version} 1\n`);

      const second = await origin.commit({ file2: `${version} 2\n` });
      const run = once();
      assert.equal((await run.exited).code, 0);
      assert.equal(await readlink(join(root, 'link')), `${GIT_SYNC_LAYOUT.worktrees}/${second}`);
      assert.equal(await readFile(join(root, 'link', 'file'), 'utf8'), `${version} 1\n`);
      assert.equal(await readFile(join(root, 'link', 'file2'), 'utf8'), `${version} 2\n`);
      assert.ok(run.logs().some((line) => line.msg.includes(`points to ${join(folder, first)}, not into`)));
      assert.equal(await readFile(join(root, folder, first, 'file'), 'utf8'), `${version} 1\n`);
    });

  // upstream: sync_crash_no_worktree_cleanup_retry
  it('publishes again after the worktrees folder was deleted', async () => {
    const { origin, root, once } = await setUp();
    await origin.commit({ file: 'one\n' });
    assert.equal((await once().exited).code, 0);
    await rm(join(root, GIT_SYNC_LAYOUT.worktrees), { recursive: true });
    assert.deepEqual(await once().exited, { code: 0, signal: null });
    assert.equal(await readFile(join(root, 'link', 'file'), 'utf8'), 'one\n');
  });

  // upstream: stale_worktree_timeout_restart, with the time that passed written into the record
  // rather than waited for.
  it('removes a worktree unlinked longer ago than GITSYNC_STALE_WORKTREE_TIMEOUT by an earlier run', async () => {
    const { origin, root, once } = await setUp();
    const wt1 = await origin.commit({ file: '1\n' });
    assert.equal((await once().exited).code, 0);
    const wt2 = await origin.commit({ file: '2\n' });
    assert.equal((await once().exited).code, 0);
    const record = join(root, GIT_SYNC_LAYOUT.state, UNLINKED_FILE);
    const unlinked = JSON.parse(await readFile(record, 'utf8')) as Record<string, number>;
    assert.deepEqual(Object.keys(unlinked), [wt1]);
    const hours = 60 * 60_000;
    await writeFile(record, JSON.stringify({ [wt1]: (unlinked[wt1] as number) - 2 * hours }));

    const third = once({ GITSYNC_STALE_WORKTREE_TIMEOUT: '1h' });
    assert.equal((await third.exited).code, 0);
    assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [wt2]);
    assert.ok(third.logs().some((line) => line.msg.startsWith(`Removed worktree ${wt1}`)));
  });
});

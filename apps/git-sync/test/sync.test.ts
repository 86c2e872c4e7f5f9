import assert from 'node:assert/strict';
import { readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger, GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  eventually,
  type GitServer,
  git,
  PATIENCE_MS,
  startGitDaemon,
  startStallingProxy,
  tempDir,
} from '@fortune-sidecar/testing';
import { createPublisher } from '../src/publish.ts';
import { createSync } from '../src/sync.ts';

const base = await tempDir('git-sync-sync-');

describe('one sync against a git daemon', () => {
  let daemon: GitServer;
  let count = 0;
  const never = new AbortController().signal;

  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  /**
   * A fresh origin (served by the daemon) and a fresh GITSYNC_ROOT syncing `ref` from it, or
   * from `url`. Old worktrees go at the next sync unless `staleWorktreeTimeoutMs` says otherwise,
   * on the clock `now`.
   */
  async function setUp(
    options: {
      ref?: string;
      depth?: number;
      url?: string;
      staleWorktreeTimeoutMs?: number;
      now?: () => number;
    } = {},
  ) {
    count += 1;
    const name = `origin-${count}.git`;
    const origin = await createOrigin(base, name);
    const root = join(base, `root-${count}`);
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line) });
    const publisher = createPublisher({
      root,
      link: 'html',
      staleWorktreeTimeoutMs: options.staleWorktreeTimeoutMs ?? 0,
      log,
      ...(options.now ? { now: options.now } : {}),
    });
    await publisher.recover();
    const url = options.url ?? daemon.url(name);
    const fetched = { count: 0 };
    const sync = createSync({
      root,
      fetchUrl: () => url,
      shownUrl: url,
      ref: options.ref ?? 'HEAD',
      depth: options.depth ?? 1,
      stallTimeoutMs: 60_000,
      publisher,
      log,
      onFetched: () => {
        fetched.count += 1;
      },
    });
    return {
      origin,
      /** What git_fetch_count_total counts. */
      fetches: () => fetched.count,
      root,
      lines,
      publisher,
      sync: (signal = never) => sync(signal),
      served: () => readFile(join(root, 'html', 'index.txt'), 'utf8'),
      linked: () => readlink(join(root, 'html')),
      worktrees: async () => (await readdir(join(root, GIT_SYNC_LAYOUT.worktrees))).sort(),
      repo: join(root, GIT_SYNC_LAYOUT.repo),
      url,
    };
  }

  it("publishes the remote's default branch and says so in one log line", async () => {
    const { origin, sync, served, lines, url } = await setUp();
    const commit = await origin.commit({ 'index.txt': 'hello\n' });
    assert.deepEqual(await sync(), { commit, changed: true });
    assert.equal(await served(), 'hello\n');
    assert.match(lines.join('\n'), new RegExp(`Synced ${url} HEAD to ${commit}$`, 'm'));
  });

  it('publishes a new commit at the next sync, and changes nothing while the branch stays put', async () => {
    const { origin, sync, served } = await setUp();
    await origin.commit({ 'index.txt': 'one\n' });
    await sync();
    const second = await origin.commit({ 'index.txt': 'two\n' });
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served(), 'two\n');
    assert.deepEqual(await sync(), { commit: second, changed: false });
  });

  it('publishes the new tip after a force-push rewrote the history', async () => {
    const { origin, sync, served } = await setUp();
    await origin.commit({ 'index.txt': 'one\n' });
    await origin.commit({ 'index.txt': 'two\n' });
    await sync();
    const rewritten = await origin.rewrite({ 'index.txt': 'two, rewritten\n' });
    assert.deepEqual(await sync(), { commit: rewritten, changed: true });
    assert.equal(await served(), 'two, rewritten\n');
  });

  it('follows a branch other than the default one', async () => {
    const { origin, sync, served } = await setUp({ ref: 'release' });
    await origin.commit({ 'index.txt': 'main\n' });
    const release = await origin.commit({ 'index.txt': 'release\n' }, { branch: 'release' });
    assert.equal((await sync()).commit, release);
    assert.equal(await served(), 'release\n');
  });

  it('publishes the commit a tag names, lightweight or annotated', async () => {
    const light = await setUp({ ref: 'v1' });
    const tagged = await light.origin.commit({ 'index.txt': 'v1\n' });
    await light.origin.tag('v1');
    await light.origin.commit({ 'index.txt': 'after v1\n' });
    assert.equal((await light.sync()).commit, tagged);
    assert.equal(await light.served(), 'v1\n');

    const annotated = await setUp({ ref: 'v2' });
    const release = await annotated.origin.commit({ 'index.txt': 'v2\n' });
    await annotated.origin.tag('v2', { annotated: true });
    assert.equal((await annotated.sync()).commit, release);
  });

  // upstream: sync_annotated_tag (the tag moved forward, back, then a commit made after it)
  it('follows an annotated tag moved forward and back, and not a commit made after it', async () => {
    const { origin, sync, served } = await setUp({ ref: 'e2e-tag' });
    const moveTag = async (message: string) => {
      await origin.git('tag', '--annotate', '--force', '--message', message, 'e2e-tag');
      await origin.git('push', '--quiet', '--force', 'origin', 'refs/tags/e2e-tag');
    };
    const first = await origin.commit({ 'index.txt': 'tag 1\n' });
    await moveTag('tag 1');
    assert.deepEqual(await sync(), { commit: first, changed: true });
    const second = await origin.commit({ 'index.txt': 'tag 2\n' });
    await moveTag('tag 2');
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served(), 'tag 2\n');
    await origin.git('reset', '--quiet', '--hard', 'HEAD^');
    await origin.git('push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
    await moveTag('tag 3');
    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.equal(await served(), 'tag 1\n');
    await origin.commit({ 'index.txt': 'after the tag\n' });
    assert.deepEqual(await sync(), { commit: first, changed: false });
    assert.equal(await served(), 'tag 1\n');
  });

  // upstream: sync_head, sync_tag (the ref moved forward, then back to a commit published before)
  it('follows a branch or a tag moved forward, then back to the commit before', async () => {
    for (const ref of ['HEAD', 'e2e-tag']) {
      const { origin, sync, served } = await setUp({ ref });
      const moveTag = () =>
        ref === 'HEAD'
          ? Promise.resolve()
          : origin
              .git('tag', '-f', ref)
              .then(() => origin.git('push', '--quiet', '--force', 'origin', `refs/tags/${ref}`));
      const first = await origin.commit({ 'index.txt': `${ref} 1\n` });
      await moveTag();
      assert.equal((await sync()).commit, first);
      const second = await origin.commit({ 'index.txt': `${ref} 2\n` });
      await moveTag();
      assert.deepEqual(await sync(), { commit: second, changed: true });
      assert.equal(await served(), `${ref} 2\n`);
      await origin.git('reset', '--quiet', '--hard', 'HEAD^');
      await origin.git('push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
      await moveTag();
      assert.deepEqual(await sync(), { commit: first, changed: true });
      assert.equal(await served(), `${ref} 1\n`);
    }
  });

  it('publishes a full commit hash, even one that no branch points to any more', async () => {
    const first = await setUp();
    const old = await first.origin.commit({ 'index.txt': 'old\n' });
    await first.origin.commit({ 'index.txt': 'new\n' });
    const pinned = await setUp({ ref: old, url: first.url });
    assert.deepEqual(await pinned.sync(), { commit: old, changed: true });
    assert.equal(await pinned.served(), 'old\n');
    // A commit never changes: the next sync does not even ask the server.
    assert.deepEqual(await pinned.sync(), { commit: old, changed: false });
  });

  it('publishes an abbreviated commit hash, looking for it in every branch and tag', async () => {
    const first = await setUp();
    const old = await first.origin.commit({ 'index.txt': 'old\n' });
    await first.origin.commit({ 'index.txt': 'new\n' });
    const pinned = await setUp({ ref: old.slice(0, 9), url: first.url });
    assert.deepEqual(await pinned.sync(), { commit: old, changed: true });
    assert.equal(await pinned.served(), 'old\n');
  });

  it('fails for a commit hash the server does not have', async () => {
    const first = await setUp();
    await first.origin.commit({ 'index.txt': 'one\n' });
    const pinned = await setUp({ ref: 'abcdef1', url: first.url });
    await assert.rejects(pinned.sync(), /no commit abcdef1 in any branch or tag of git:\/\//);
  });

  it('fails when the ref is deleted, and keeps the last good commit published', async () => {
    const { origin, sync, served, linked } = await setUp({ ref: 'feature' });
    await origin.commit({ 'index.txt': 'main\n' });
    const feature = await origin.commit({ 'index.txt': 'feature\n' }, { branch: 'feature' });
    await sync();
    await origin.deleteBranch('feature');
    await assert.rejects(
      sync(),
      /^GitCommandError: git fetch failed: fatal: couldn't find remote ref feature$/,
    );
    assert.equal(await linked(), `.gitsync/worktrees/${feature}`);
    assert.equal(await served(), 'feature\n');
  });

  it('fails when the server cannot be reached, and keeps the last good commit published', async () => {
    const { origin, sync, served, url, root, publisher } = await setUp();
    await origin.commit({ 'index.txt': 'hello\n' });
    await sync();
    const unreachable = createSync({
      root,
      fetchUrl: () => url.replace(`:${daemon.port}/`, ':1/'),
      shownUrl: url,
      ref: 'HEAD',
      depth: 1,
      stallTimeoutMs: 60_000,
      publisher,
      log: createLogger({ format: 'text', write: () => {} }),
    });
    await assert.rejects(unreachable(never), /git fetch failed: fatal: unable to connect to 127\.0\.0\.1/);
    assert.equal(await served(), 'hello\n');
  });

  it('fetches only GITSYNC_DEPTH commits of history, or all of it with 0', async () => {
    const shallow = await setUp({ depth: 1 });
    for (const n of [1, 2, 3]) await shallow.origin.commit({ 'index.txt': `${n}\n` });
    await shallow.sync();
    assert.equal(await git(shallow.repo, 'rev-list', '--count', 'FETCH_HEAD'), '1');

    const full = await setUp({ depth: 0, url: shallow.url });
    await full.sync();
    assert.equal(await git(full.repo, 'rev-list', '--count', 'FETCH_HEAD'), '3');
    assert.equal(await git(full.repo, 'rev-parse', '--is-shallow-repository'), 'false');
  });

  // upstream: sync_depth_across_updates, with its git_fetch_count_total
  it('keeps GITSYNC_DEPTH commits of history in the published worktree as the branch moves forward and back', async () => {
    const { origin, sync, served, root, fetches } = await setUp({ depth: 1 });
    const history = () => git(join(root, 'html'), 'rev-list', '--count', 'HEAD');
    await origin.commit({ 'index.txt': 'zero\n' });
    const first = await origin.commit({ 'index.txt': 'one\n' });
    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.deepEqual([await served(), await history(), fetches()], ['one\n', '1', 1]);
    // The syncs that find the commit published are not counted, as upstream's are not.
    await sync();
    assert.equal(fetches(), 1);

    const second = await origin.commit({ 'index.txt': 'two\n' });
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.deepEqual([await served(), await history(), fetches()], ['two\n', '1', 2]);

    await origin.git('reset', '--quiet', '--hard', 'HEAD^');
    await origin.git('push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
    assert.deepEqual(await sync(), { commit: first, changed: true });
    assert.deepEqual([await served(), await history(), fetches()], ['one\n', '1', 3]);
  });

  it('creates a damaged or missing repository again, leaving the published commit linked meanwhile', async () => {
    const { origin, sync, served, linked, repo, lines } = await setUp();
    const first = await origin.commit({ 'index.txt': 'one\n' });
    await sync();
    await writeFile(join(repo, 'HEAD'), 'garbage');
    assert.deepEqual(await sync(), { commit: first, changed: false });
    assert.match(lines.join('\n'), /repo\.git is not a sound git repository, creating it again/);
    assert.equal(await linked(), `.gitsync/worktrees/${first}`);

    await rm(repo, { recursive: true });
    const second = await origin.commit({ 'index.txt': 'two\n' });
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served(), 'two\n');
  });

  it('keeps an unlinked worktree through the syncs within GITSYNC_STALE_WORKTREE_TIMEOUT, and removes it at the first sync after', async () => {
    let clock = 0;
    const { origin, sync, worktrees, lines } = await setUp({ staleWorktreeTimeoutMs: 600, now: () => clock });
    const first = await origin.commit({ 'index.txt': 'one\n' });
    await sync();
    const second = await origin.commit({ 'index.txt': 'two\n' });
    clock = 1000;
    await sync();
    clock = 1599;
    await sync();
    assert.deepEqual(await worktrees(), [first, second].sort());
    clock = 1600;
    await sync();
    assert.deepEqual(await worktrees(), [second]);
    assert.match(lines.join('\n'), new RegExp(`Removed worktree ${first}, unlinked for more than 600ms`));
  });

  // The remote never answers: the sync can only end because git is stopped.
  it('stops git when the sync is aborted, and rejects with the reason', {
    timeout: PATIENCE_MS,
  }, async () => {
    const hanging = await startStallingProxy(daemon.port, 0);
    try {
      const { sync } = await setUp({ url: `git://127.0.0.1:${hanging.port}/hangs.git` });
      const abort = new AbortController();
      const syncing = sync(abort.signal);
      await eventually(() => (hanging.connections() > 0 ? true : undefined), {
        what: 'git fetching from the remote that hangs',
      });
      const reason = new Error('git-sync is stopping');
      abort.abort(reason);
      await assert.rejects(syncing, reason);
      await eventually(() => (hanging.connections() === 0 ? true : undefined), {
        what: 'the connection of the stopped git closed',
      });
    } finally {
      await hanging.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, beforeEach, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createLogger, GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import { createOrigin, git, type Origin, tempDir } from '@fortune-sidecar/testing';
import { type Git, openGit } from '../src/git.ts';
import { createPublisher, type Publisher } from '../src/publish.ts';

const LINK = 'html';
const STALE_MS = 10_000;

const base = await tempDir('git-sync-publish-');

describe('publishing', () => {
  let origin: Origin;
  const commits: string[] = [];
  let root: string;
  let repo: Git;
  let clock: number;
  let lines: string[];
  let publisher: Publisher;
  let run = 0;

  const worktree = (commit: string) => join(root, GIT_SYNC_LAYOUT.worktrees, commit);
  const linkTarget = () => readlink(join(root, LINK));
  const served = (file = 'index.txt') => readFile(join(root, LINK, file), 'utf8');
  const never = new AbortController().signal;

  before(async () => {
    origin = await createOrigin(base);
    for (const n of [1, 2, 3]) commits.push(await origin.commit({ 'index.txt': `revision ${n}\n` }));
  });

  // Each test gets its own GITSYNC_ROOT holding a bare repository with the origin's commits.
  beforeEach(async () => {
    run += 1;
    root = join(base, `root-${run}`);
    await mkdir(join(root, '.gitsync'), { recursive: true });
    await git(base, 'clone', '--quiet', '--bare', origin.bare, join(root, GIT_SYNC_LAYOUT.repo));
    repo = openGit(join(root, GIT_SYNC_LAYOUT.repo), never, { stallTimeoutMs: 60_000 });
    clock = 0;
    lines = [];
    publisher = createPublisher({
      root,
      link: LINK,
      staleWorktreeTimeoutMs: STALE_MS,
      log: createLogger({ format: 'text', write: (line) => lines.push(line) }),
      now: () => clock,
    });
  });

  it('checks a commit out whole and points a relative link at it', async () => {
    await publisher.recover();
    const [first] = commits as [string];
    assert.equal(await publisher.publish(first, repo, never), true);
    assert.equal(await linkTarget(), `.gitsync/worktrees/${first}`);
    assert.equal(await served(), 'revision 1\n');
    assert.equal(publisher.published(), first);
  });

  it('does nothing when the commit is already published', async () => {
    await publisher.recover();
    const [first] = commits as [string];
    await publisher.publish(first, repo, never);
    assert.equal(await publisher.publish(first, repo, never), false);
  });

  it('swaps the link to a new commit and leaves no temporary link or checkout behind', async () => {
    await publisher.recover();
    const [first, second] = commits as [string, string];
    await publisher.publish(first, repo, never);
    await publisher.publish(second, repo, never);
    assert.equal(await served(), 'revision 2\n');
    assert.deepEqual((await readdir(root)).sort(), ['.gitsync', LINK]);
    assert.deepEqual((await readdir(join(root, GIT_SYNC_LAYOUT.worktrees))).sort(), [first, second].sort());
  });

  it('keeps the old worktree for the stale timeout, then removes it and forgets it in git', async () => {
    await publisher.recover();
    const [first, second] = commits as [string, string];
    await publisher.publish(first, repo, never);
    await publisher.publish(second, repo, never);
    clock += STALE_MS - 1;
    await publisher.removeStale(repo);
    assert.equal(await readFile(join(worktree(first), 'index.txt'), 'utf8'), 'revision 1\n');
    clock += 1;
    await publisher.removeStale(repo);
    assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [second]);
    assert.doesNotMatch(await git(join(root, GIT_SYNC_LAYOUT.repo), 'worktree', 'list'), new RegExp(first));
    assert.match(lines.join('\n'), new RegExp(`Removed worktree ${first}, unlinked for more than 10s`));
  });

  it('goes back to an older commit by reusing its worktree while it is kept', async () => {
    await publisher.recover();
    const [first, second] = commits as [string, string];
    await publisher.publish(first, repo, never);
    await publisher.publish(second, repo, never);
    await publisher.publish(first, repo, never);
    assert.equal(await served(), 'revision 1\n');
    clock += STALE_MS;
    await publisher.removeStale(repo);
    assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [first]);
  });

  it('keeps the published commit when a checkout fails, with nothing half-written left', async () => {
    await publisher.recover();
    const [first] = commits as [string];
    await publisher.publish(first, repo, never);
    await assert.rejects(publisher.publish('0'.repeat(40), repo, never), /git worktree failed/);
    assert.equal(await linkTarget(), `.gitsync/worktrees/${first}`);
    assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [first]);
    assert.deepEqual((await readdir(root)).sort(), ['.gitsync', LINK]);
  });

  it('does not swap the link once the sync is aborted', async () => {
    await publisher.recover();
    const [first, second] = commits as [string, string];
    await publisher.publish(first, repo, never);
    const aborted = AbortSignal.abort(new Error('stopping'));
    await assert.rejects(publisher.publish(second, repo, aborted), /stopping/);
    assert.equal(await served(), 'revision 1\n');
  });

  describe('after a crash', () => {
    it('removes the temporary link and the half-written checkout a killed git-sync left', async () => {
      const [first] = commits as [string];
      await mkdir(join(root, GIT_SYNC_LAYOUT.worktrees), { recursive: true });
      await symlink(`.gitsync/worktrees/${first}`, join(root, '.git-sync-html-0123456789ab.tmp'));
      const partial = join(root, GIT_SYNC_LAYOUT.worktrees, `.git-sync-${first}-0123456789ab.tmp`);
      await mkdir(partial);
      await writeFile(join(partial, 'index.txt'), 'revis');
      await publisher.recover();
      assert.deepEqual(await readdir(root), ['.gitsync']);
      assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), []);
      assert.match(
        lines.join('\n'),
        /Removed \.git-sync-html-0123456789ab\.tmp, left by an interrupted link swap/,
      );
      assert.match(lines.join('\n'), /left by an interrupted checkout/);
      await publisher.publish(first, repo, never);
      assert.equal(await served(), 'revision 1\n');
    });

    it('publishes again when the link points to a worktree that is gone', async () => {
      const [first] = commits as [string];
      await mkdir(join(root, GIT_SYNC_LAYOUT.worktrees), { recursive: true });
      await symlink(`.gitsync/worktrees/${first}`, join(root, LINK));
      await publisher.recover();
      assert.equal(publisher.published(), undefined);
      assert.match(lines.join('\n'), /points to the missing \.gitsync\/worktrees\//);
      assert.equal(await publisher.publish(first, repo, never), true);
      assert.equal(await served(), 'revision 1\n');
    });

    it('keeps the linked worktree and removes the others of the previous run after the stale timeout', async () => {
      await publisher.recover();
      const [first, second] = commits as [string, string];
      await publisher.publish(first, repo, never);
      await publisher.publish(second, repo, never);
      const restarted = createPublisher({
        root,
        link: LINK,
        staleWorktreeTimeoutMs: STALE_MS,
        log: createLogger({ format: 'text', write: () => {} }),
        now: () => clock,
      });
      clock += 1000;
      await restarted.recover();
      assert.equal(restarted.published(), second);
      assert.equal(await restarted.publish(second, repo, never), false);
      clock += STALE_MS;
      await restarted.removeStale(repo);
      assert.deepEqual(await readdir(join(root, GIT_SYNC_LAYOUT.worktrees)), [second]);
    });

    it('refuses to take over a link name that is a real folder', async () => {
      await mkdir(join(root, LINK));
      await assert.rejects(publisher.recover(), /html exists and is not a symbolic link/);
    });
  });
});

// Shared with the reader: [STOP] is set to 1 to stop it, [READS] counts the reads it finished.
const STOP = 0;
const READS = 1;

// Reads through the link in a tight loop until told to stop; reports the reads that fail or mix revisions.
const READER = `
const { workerData } = require('node:worker_threads');
const { readFileSync, realpathSync } = require('node:fs');
const { join } = require('node:path');
const shared = new Int32Array(workerData.shared);
const problems = [];
const uniform = (text) => {
  const lines = text.split('\\n').filter(Boolean);
  return lines.length === workerData.lines && lines.every((line) => line === lines[0]) ? lines[0] : undefined;
};
while (Atomics.load(shared, ${STOP}) === 0) {
  try {
    const direct = uniform(readFileSync(join(workerData.link, 'index.txt'), 'utf8'));
    // A reader that needs two files from one revision resolves the link once.
    const dir = realpathSync(workerData.link);
    const index = uniform(readFileSync(join(dir, 'index.txt'), 'utf8'));
    const other = uniform(readFileSync(join(dir, 'other.txt'), 'utf8'));
    if (!direct || !index || index !== other) problems.push({ direct, index, other });
  } catch (error) {
    problems.push(error.code || error.message);
  }
  Atomics.add(shared, ${READS}, 1);
}
require('node:worker_threads').parentPort.postMessage(problems);
`;

describe('a reader of the link', () => {
  it('never sees a missing or mixed file while the link is swapped hundreds of times', async () => {
    const lines = 4096;
    const origin = await createOrigin(base, 'reader.git');
    const commits: string[] = [];
    for (let n = 1; n <= 12; n++) {
      const content = `revision ${n}\n`.repeat(lines);
      commits.push(await origin.commit({ 'index.txt': content, 'other.txt': content }));
    }
    const root = join(base, 'reader-root');
    await mkdir(join(root, '.gitsync'), { recursive: true });
    await git(base, 'clone', '--quiet', '--bare', origin.bare, join(root, GIT_SYNC_LAYOUT.repo));
    const never = new AbortController().signal;
    const repo = openGit(join(root, GIT_SYNC_LAYOUT.repo), never, { stallTimeoutMs: 60_000 });
    const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
    const reads = () => Atomics.load(shared, READS);
    const publisher = createPublisher({
      root,
      link: LINK,
      // On a clock that counts the reader's reads: an old worktree goes once the one read that may
      // have begun in it is over, however long a busy machine makes that read.
      staleWorktreeTimeoutMs: 1,
      now: reads,
      log: createLogger({ format: 'text', write: () => {} }),
    });
    await publisher.recover();
    await publisher.publish(commits[0] as string, repo, never);

    const reader = new Worker(READER, {
      eval: true,
      workerData: { link: join(root, LINK), lines, shared: shared.buffer },
    });
    const result = new Promise<unknown[]>((resolve) => reader.once('message', resolve));
    let swaps = 0;
    // New checkouts, each swapped in as soon as it is complete...
    for (const commit of commits) {
      if (await publisher.publish(commit, repo, never)) swaps += 1;
      await publisher.removeStale(repo);
    }
    // ...then quick swaps between worktrees that already exist, until the reader has read through many.
    for (let n = 0; n < 300 || reads() < 100; n++) {
      if (await publisher.publish(commits[commits.length - 1 - (n % 2)] as string, repo, never)) swaps += 1;
    }
    Atomics.store(shared, STOP, 1);
    const problems = await result;
    await reader.terminate();

    assert.ok(swaps >= 300, `${swaps} swaps`);
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${reads()} reads went wrong`);
  });
});

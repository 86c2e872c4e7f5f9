import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createOrigin, git, tempDir } from '@fortune-sidecar/testing';
import { removeGitLeftovers } from '../src/repo-repair.ts';

const base = await tempDir('git-sync-repair-');
let count = 0;

/** A shallow bare repository as git-sync keeps one, with a worktree, fetched from a fresh origin. */
async function setUp() {
  count += 1;
  const origin = await createOrigin(base, `origin-${count}.git`);
  const commit = await origin.commit({ 'index.txt': 'hello\n' });
  const repo = join(base, `repo-${count}.git`);
  await git(base, 'init', '--quiet', '--bare', repo);
  const fetch = () => git(repo, 'fetch', '--quiet', '--depth', '1', origin.bare, 'main');
  await fetch();
  const worktree = join(base, `worktree-${count}`);
  await git(repo, 'worktree', 'add', '--quiet', '--detach', worktree, commit);
  const [worktreeId = ''] = await readdir(join(repo, 'worktrees'));
  const create = async (paths: string[]) => {
    for (const path of paths) {
      await mkdir(join(repo, path, '..'), { recursive: true });
      await writeFile(join(repo, path), 'left by a killed git\n');
    }
  };
  return { repo, fetch, worktree, worktreeId, create, commit };
}

describe('removing what an interrupted git left in a repository', () => {
  it('removes the lock files of the repository and its worktrees, and git works again', async () => {
    const { repo, fetch, worktree, worktreeId, create } = await setUp();
    const locks = [
      'FETCH_HEAD.lock',
      'HEAD.lock',
      'config.lock',
      'objects/info/commit-graph.lock',
      'packed-refs.lock',
      'refs/heads/main.lock',
      'shallow.lock',
      `worktrees/${worktreeId}/index.lock`,
    ];
    await create(locks);
    await assert.rejects(fetch(), /shallow\.lock': File exists/);
    await assert.rejects(git(worktree, 'reset', '--quiet', '--hard'), /index\.lock': File exists/);

    assert.deepEqual((await removeGitLeftovers(repo)).sort(), locks);
    await fetch();
    await git(worktree, 'reset', '--quiet', '--hard');
  });

  it('removes the objects of a fetch that did not finish, and keeps every object and ref', async () => {
    const { repo, create, commit } = await setUp();
    // A branch may be called anything: git-sync mirrors the remote's branches under refs/gitsync.
    await git(repo, 'update-ref', 'refs/gitsync/heads/tmp_obj_branch.locked', commit);
    const leftovers = [
      'objects/7e/tmp_obj_9FrnRT',
      'objects/incoming-Ab12Cd',
      'objects/pack/tmp_idx_Q1w2E3',
      'objects/pack/tmp_pack_Q1w2E3',
      'objects/tmp_objdir-incoming-Zx98Yw',
    ];
    await create([
      'objects/7e/tmp_obj_9FrnRT',
      'objects/incoming-Ab12Cd/pack/tmp_pack_R4t5Y6',
      'objects/pack/tmp_idx_Q1w2E3',
      'objects/pack/tmp_pack_Q1w2E3',
      'objects/tmp_objdir-incoming-Zx98Yw/ab/cdef',
    ]);

    assert.deepEqual((await removeGitLeftovers(repo)).sort(), leftovers);
    await git(repo, 'fsck', '--full', '--no-dangling');
    assert.equal(await git(repo, 'rev-parse', 'refs/gitsync/heads/tmp_obj_branch.locked'), commit);
    assert.equal(await git(repo, 'rev-parse', 'FETCH_HEAD'), commit);
  });

  it('finds nothing to remove in a sound repository, or where there is no repository', async () => {
    const { repo } = await setUp();
    assert.deepEqual(await removeGitLeftovers(repo), []);
    assert.deepEqual(await removeGitLeftovers(join(base, 'nothing-here.git')), []);
  });
});

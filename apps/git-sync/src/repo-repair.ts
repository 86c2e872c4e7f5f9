import type { Dirent } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * What git leaves in a repository when it is killed (an OOM kill, a timeout) or fails (a full
 * disk): a `.lock` file it holds while it changes a file (shallow.lock, packed-refs.lock,
 * refs/…/x.lock, config.lock, FETCH_HEAD.lock, a worktree's index.lock), which makes every later
 * command that needs that file fail with "Unable to create '….lock': File exists"; and the
 * objects it was receiving (objects/xx/tmp_obj_*, objects/pack/tmp_pack_*, tmp_idx_*, and the
 * objects/tmp_objdir-* or incoming-* folders), which keep their space on a full disk.
 */
function isLeftover(path: string, isDirectory: boolean): boolean {
  const [top, ...rest] = path.split(sep);
  const name = rest.at(-1) ?? top ?? '';
  const isLock = !isDirectory && name.endsWith('.lock');
  // Elsewhere `tmp_` may begin a ref's name: refs/gitsync/heads/ mirrors the remote's branches.
  return top === 'objects' ? isLock || name.startsWith('tmp_') || name.startsWith('incoming-') : isLock;
}

/**
 * Removes git's leftovers from the repository `repoDir` and returns their paths in it. Only
 * while no git command runs there: a lock or an object being written would go from under it.
 */
export async function removeGitLeftovers(repoDir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(repoDir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const leftovers = entries
    .map((entry) => ({
      path: relative(repoDir, join(entry.parentPath, entry.name)),
      isDirectory: entry.isDirectory(),
    }))
    .filter(({ path, isDirectory }) => isLeftover(path, isDirectory))
    .map(({ path }) => path)
    // A folder's own leftovers go with it.
    .filter((path, _, all) => !all.some((other) => other !== path && path.startsWith(`${other}${sep}`)));
  for (const path of leftovers) await rm(join(repoDir, path), { recursive: true, force: true });
  return leftovers;
}

import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { GitCommandError, runGit } from './git-process.ts';
import { type SubmodulesMode, submodulesCheckedOut } from './submodules.ts';

/** Why a folder named after a commit cannot be published as that commit; undefined when it can. */
export type WorktreeProblem =
  | 'missing'
  | 'not a worktree'
  | 'another repository'
  | 'wrong commit'
  | 'changed'
  | 'submodules missing';

export interface CheckOptions {
  /** The bare repository the worktree must belong to. */
  readonly repoDir: string;
  /**
   * Also compare the files with the commit (`git status`). Taken before trusting a folder this
   * git-sync did not just link; the published one is checked by its HEAD alone at each sync,
   * so that a file system on which a fresh checkout never looks clean cannot make every sync check out again.
   */
  readonly thorough: boolean;
  /** With `thorough`, also the submodules this mode checks out (undefined: none). */
  readonly submodules?: SubmodulesMode;
  readonly signal: AbortSignal;
}

/** Whether `dir` is a checkout of `commit` from the repository, as `git worktree add` leaves one. */
export async function checkWorktree(
  dir: string,
  commit: string,
  options: CheckOptions,
): Promise<WorktreeProblem | undefined> {
  try {
    if (!(await lstat(dir)).isDirectory()) return 'not a worktree';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  // A worktree's .git is a file naming its repository. Without one, git would look for a
  // repository in the folders above, which may be someone else's.
  try {
    if (!(await lstat(join(dir, '.git'))).isFile()) return 'not a worktree';
  } catch {
    return 'not a worktree';
  }
  const git = (...args: [string, ...string[]]) =>
    runGit({ args: ['--no-optional-locks', ...args], cwd: dir, signal: options.signal });
  let answer: string;
  try {
    answer = await git('rev-parse', '--path-format=absolute', '--git-common-dir', '--verify', 'HEAD');
  } catch (error) {
    if (error instanceof GitCommandError) return 'not a worktree';
    throw error;
  }
  const [commonDir = '', head = ''] = answer.trim().split('\n');
  if ((await realpath(commonDir).catch(() => commonDir)) !== (await realpath(options.repoDir)))
    return 'another repository';
  if (head !== commit) return 'wrong commit';
  if (!options.thorough) return undefined;
  try {
    // Untracked files count: a file added beside the checkout would be published with it.
    if ((await git('status', '--porcelain', '--untracked-files=all')).trim() !== '') return 'changed';
    if (
      options.submodules !== undefined &&
      !(await submodulesCheckedOut(dir, options.submodules, options.signal))
    )
      return 'submodules missing';
  } catch (error) {
    if (error instanceof GitCommandError) return 'not a worktree';
    throw error;
  }
  return undefined;
}

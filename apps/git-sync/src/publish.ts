import { lstat, mkdir, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  formatDuration,
  GIT_SYNC_LAYOUT,
  type Logger,
  removeTempFiles,
  tempName,
} from '@fortune-sidecar/common';
import type { Git } from './git.ts';

/** Owner of git-sync's temporary files (see the volume contract's tempName). */
export const OWNER = 'git-sync';

export interface PublisherOptions {
  readonly root: string;
  readonly link: string;
  /** How long a worktree that is no longer linked stays, so that readers in the middle of a read finish. */
  readonly staleWorktreeTimeoutMs: number;
  readonly log: Logger;
  readonly now?: () => number;
}

type WorktreeGit = Pick<Git, 'addWorktree' | 'moveWorktree' | 'pruneWorktrees'>;

export interface Publisher {
  /** Repairs what a killed git-sync left behind; call once, before the first publish. */
  recover(): Promise<void>;
  /** The commit the link points to. */
  published(): string | undefined;
  /** Checks the commit out (unless it already is) and points the link at it; false when it was already published. */
  publish(commit: string, git: WorktreeGit, signal: AbortSignal): Promise<boolean>;
  /** Removes the worktrees that have not been linked for longer than the stale timeout. */
  removeStale(git: WorktreeGit): Promise<void>;
}

/**
 * Publishes commits as GIT_SYNC_LAYOUT says: each commit is checked out whole into
 * `.gitsync/worktrees/<hash>`, then the link `ROOT/<link>` is swapped to it by renaming a new
 * symlink over it, so readers see the old tree or the new one, never a mix. Invariant: a folder
 * named after a commit is always a complete checkout; partial ones only exist under temporary names.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  const { root, link, log } = options;
  const now = options.now ?? Date.now;
  const worktrees = join(root, GIT_SYNC_LAYOUT.worktrees);
  const linkPath = join(root, link);
  let current: string | undefined;
  /** Worktrees no longer linked, with the time they stopped being linked. */
  const retired = new Map<string, number>();

  async function linkedCommit(): Promise<string | undefined> {
    let target: string;
    try {
      if (!(await lstat(linkPath)).isSymbolicLink())
        throw new Error(`${linkPath} exists and is not a symbolic link: move it away so git-sync can own it`);
      target = await readlink(linkPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const commit = basename(target);
    if (target !== join(GIT_SYNC_LAYOUT.worktrees, commit)) {
      log.warn(`${linkPath} points to ${target}, not into ${GIT_SYNC_LAYOUT.worktrees}; it will be replaced`);
      return undefined;
    }
    if (!(await isDirectory(join(worktrees, commit)))) {
      log.warn(`${linkPath} points to the missing ${target}; publishing again`);
      return undefined;
    }
    return commit;
  }

  // `git worktree add` rather than `git archive | tar`: the files are exactly those a clone checks
  // out (archive would apply .gitattributes export-ignore/export-subst), modes and symlinks are
  // kept, and the image needs no tar. It checks out under a temporary name that `git worktree move`
  // renames once complete, which keeps the invariant even when git-sync is killed mid-checkout.
  async function checkOut(commit: string, git: WorktreeGit): Promise<void> {
    const temp = join(worktrees, tempName(OWNER, commit));
    try {
      await git.addWorktree(temp, commit);
      await git.moveWorktree(temp, join(worktrees, commit));
    } catch (error) {
      await rm(temp, { recursive: true, force: true }).catch(() => {});
      throw error;
    }
  }

  async function pointLinkAt(commit: string): Promise<void> {
    // Relative, so the link stays right wherever the volume is mounted (the web server mounts it elsewhere).
    const temp = join(root, tempName(OWNER, link));
    await symlink(join(GIT_SYNC_LAYOUT.worktrees, commit), temp);
    try {
      await rename(temp, linkPath);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  return {
    async recover() {
      await mkdir(worktrees, { recursive: true });
      for (const name of await removeTempFiles(OWNER, join(root, GIT_SYNC_LAYOUT.state)))
        log.info(`Removed ${GIT_SYNC_LAYOUT.state}/${name}, left by an interrupted write of the lock file`);
      for (const name of await removeTempFiles(OWNER, root))
        log.info(`Removed ${name}, left by an interrupted link swap`);
      for (const name of await removeTempFiles(OWNER, worktrees))
        log.info(`Removed ${GIT_SYNC_LAYOUT.worktrees}/${name}, left by an interrupted checkout`);
      current = await linkedCommit();
      // Readers of a previous git-sync may still be in them: they get the same grace as any old worktree.
      for (const name of await readdir(worktrees)) if (name !== current) retired.set(name, now());
    },

    published: () => current,

    async publish(commit, git, signal) {
      const dir = join(worktrees, commit);
      const present = await isDirectory(dir);
      if (commit === current && present) return false;
      if (!present) await checkOut(commit, git);
      // The swap itself is never interrupted: stopping waits for these two system calls.
      signal.throwIfAborted();
      await pointLinkAt(commit);
      retired.delete(commit);
      if (current !== undefined && current !== commit) retired.set(current, now());
      current = commit;
      return true;
    },

    async removeStale(git) {
      const due = [...retired]
        .filter(([commit, since]) => commit !== current && now() - since >= options.staleWorktreeTimeoutMs)
        .map(([commit]) => commit);
      for (const commit of due) {
        await rm(join(worktrees, commit), { recursive: true, force: true });
        retired.delete(commit);
        log.info(
          `Removed worktree ${commit}, unlinked for more than ${formatDuration(options.staleWorktreeTimeoutMs)}`,
        );
      }
      // Forgets the removed worktrees in the repository too, or `git worktree add` could refuse their paths.
      if (due.length > 0) await git.pruneWorktrees();
    },
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  formatDuration,
  GIT_SYNC_LAYOUT,
  isTempOf,
  type Logger,
  removeTempFiles,
  tempName,
  writeFilesAtomic,
} from '@fortune-sidecar/common';
import type { Git } from './git.ts';
import { type SubmoduleOptions, updateSubmodules } from './submodules.ts';
import { checkWorktree } from './worktree-check.ts';

/** Owner of git-sync's temporary files (see the volume contract's tempName). */
export const OWNER = 'git-sync';

/**
 * In GIT_SYNC_LAYOUT.state: when each worktree that is no longer linked stopped being linked
 * (`{"<commit>": <ms since 1970>}`), so that the stale timeout counts across restarts and a
 * one-time run (an init container) removes old worktrees too. One entry per worktree on disk.
 */
export const UNLINKED_FILE = 'unlinked.json';

/** A file written by someone else is not read past this size. */
const UNLINKED_FILE_MAX_BYTES = 1024 * 1024;

/** The names git-sync gives worktrees: a full SHA-1 or SHA-256 hash. */
const WORKTREE_NAME = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface PublisherOptions {
  readonly root: string;
  readonly link: string;
  /** How long a worktree that is no longer linked stays, so that readers in the middle of a read finish. */
  readonly staleWorktreeTimeoutMs: number;
  /**
   * Fills a worktree added without files (GITSYNC_SPARSE_CHECKOUT_FILE), before it takes the
   * commit's name; when absent, `git worktree add` checks every file out.
   */
  readonly fillWorktree?: (dir: string, commit: string, signal: AbortSignal) => Promise<void>;
  /** GITSYNC_SUBMODULES, checked out into each new worktree before it is linked. */
  readonly submodules?: SubmoduleOptions;
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
  const repoDir = join(root, GIT_SYNC_LAYOUT.repo);
  const stateDir = join(root, GIT_SYNC_LAYOUT.state);
  const linkPath = join(root, link);
  let current: string | undefined;
  /** Worktrees no longer linked, with the time they stopped being linked; kept in UNLINKED_FILE. */
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

  async function readUnlinked(): Promise<Map<string, number>> {
    const path = join(stateDir, UNLINKED_FILE);
    const unusable = (why: string) => {
      log.warn(
        `${GIT_SYNC_LAYOUT.state}/${UNLINKED_FILE} ${why}: old worktrees wait the stale timeout from now`,
      );
      return new Map<string, number>();
    };
    try {
      if ((await stat(path)).size > UNLINKED_FILE_MAX_BYTES) return unusable('is too large');
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return unusable('is not an object');
      return new Map(
        Object.entries(parsed).filter(
          (entry): entry is [string, number] => WORKTREE_NAME.test(entry[0]) && Number.isFinite(entry[1]),
        ),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      return unusable(`cannot be read (${(error as Error).message})`);
    }
  }

  // A failure costs only the count across a restart: the next start waits the whole timeout again.
  async function saveUnlinked(): Promise<void> {
    try {
      await writeFilesAtomic(OWNER, stateDir, [
        [UNLINKED_FILE, `${JSON.stringify(Object.fromEntries(retired))}\n`],
      ]);
    } catch (error) {
      log.warn(`Could not write ${GIT_SYNC_LAYOUT.state}/${UNLINKED_FILE}`, { error });
    }
  }

  // `git worktree add` rather than `git archive | tar`: the files are exactly those a clone checks
  // out (archive would apply .gitattributes export-ignore/export-subst), modes and symlinks are
  // kept, and the image needs no tar. It checks out under a temporary name that `git worktree move`
  // renames once complete, which keeps the invariant even when git-sync is killed mid-checkout.
  // `replace`: a folder of that name is there but is no checkout of the commit.
  async function checkOut(
    commit: string,
    git: WorktreeGit,
    replace: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const dir = join(worktrees, commit);
    const temp = join(worktrees, tempName(OWNER, commit));
    // A worktree deleted from under git stays registered, and git refuses to move another to its
    // path ("is a missing but already registered worktree") until it is pruned.
    await git.pruneWorktrees();
    await mkdir(worktrees, { recursive: true });
    let old: string | undefined;
    try {
      await git.addWorktree(temp, commit, options.fillWorktree === undefined);
      await options.fillWorktree?.(temp, commit, signal);
      if (replace) {
        // Under a temporary name until removed, so that a start after a kill removes it; the link,
        // if it points there, dangles only between this rename and the move below.
        old = join(worktrees, tempName(OWNER, commit));
        await rename(dir, old);
        await git.pruneWorktrees();
      }
      await git.moveWorktree(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true }).catch(() => {});
      // The next sync finds the commit's folder missing and checks it out anew.
      if (old !== undefined) await rm(old, { recursive: true, force: true }).catch(() => {});
      throw error;
    }
    if (old !== undefined) {
      await rm(old, { recursive: true, force: true });
      await git.pruneWorktrees();
    }
    // Under the commit's name already: git refuses to move a worktree that has submodules. A
    // kill in the middle leaves it incomplete, which the worktree check finds before publishing.
    if (options.submodules !== undefined)
      try {
        await updateSubmodules(options.submodules)(dir, signal);
      } catch (error) {
        await rm(dir, { recursive: true, force: true }).catch(() => {});
        await git.pruneWorktrees().catch(() => {});
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

  /**
   * Removes from the worktrees folder what git-sync did not put there as a worktree: files,
   * symbolic links (not what they point to) and folders not named after a commit. Folders named
   * after a commit that are not linked count as unlinked from now on, if they did not already;
   * whether one is a sound checkout is checked when it is about to be published. Returns whether
   * anything was removed or newly counted.
   */
  async function removeForeign(): Promise<{ removed: boolean; counted: boolean }> {
    let removed = false;
    let counted = false;
    let entries: Dirent[];
    try {
      entries = await readdir(worktrees, { withFileTypes: true });
    } catch (error) {
      // Deleted from under git-sync: the next checkout makes it again.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed, counted };
      throw error;
    }
    for (const entry of entries) {
      const { name } = entry;
      if (isTempOf(OWNER, name)) continue;
      if (WORKTREE_NAME.test(name) && entry.isDirectory()) {
        if (name !== current && !retired.has(name)) {
          retired.set(name, now());
          counted = true;
        }
        continue;
      }
      await rm(join(worktrees, name), { recursive: true, force: true });
      removed = true;
      log.warn(`Removed ${GIT_SYNC_LAYOUT.worktrees}/${name}, which is not a worktree of git-sync`);
    }
    return { removed, counted };
  }

  return {
    async recover() {
      await mkdir(worktrees, { recursive: true });
      for (const name of await removeTempFiles(OWNER, stateDir))
        log.info(`Removed ${GIT_SYNC_LAYOUT.state}/${name}, left by an interrupted write`);
      for (const name of await removeTempFiles(OWNER, root))
        log.info(`Removed ${name}, left by an interrupted link swap`);
      for (const name of await removeTempFiles(OWNER, worktrees))
        log.info(`Removed ${GIT_SYNC_LAYOUT.worktrees}/${name}, left by an interrupted checkout`);
      current = await linkedCommit();
      // Readers of a previous git-sync may still be in them: they get the same grace as any old
      // worktree, counted from when they were unlinked if a previous run wrote it down.
      const unlinked = await readUnlinked();
      retired.clear();
      const start = now();
      for (const name of await readdir(worktrees))
        if (WORKTREE_NAME.test(name) && name !== current)
          retired.set(name, Math.min(unlinked.get(name) ?? start, start));
      await saveUnlinked();
    },

    published: () => current,

    async publish(commit, git, signal) {
      const dir = join(worktrees, commit);
      const problem = await checkWorktree(dir, commit, {
        repoDir,
        thorough: commit !== current,
        submodules: options.submodules?.mode,
        signal,
      });
      // The published worktree of a repository created again is known to git no more, yet its
      // files are still the commit's: only a missing one, or one moved to another commit, goes.
      const unsound =
        commit === current ? problem === 'missing' || problem === 'wrong commit' : problem !== undefined;
      if (commit === current && !unsound) return false;
      if (unsound) {
        if (problem !== 'missing')
          log.warn(
            `${GIT_SYNC_LAYOUT.worktrees}/${commit} is not a sound checkout (${problem}); checking out again`,
          );
        else if (commit === current) log.warn(`The published worktree ${commit} is gone; checking out again`);
        await checkOut(commit, git, problem !== 'missing', signal);
      }
      // The swap itself is never interrupted: stopping waits for these two system calls.
      signal.throwIfAborted();
      await pointLinkAt(commit);
      retired.delete(commit);
      if (current !== undefined && current !== commit) retired.set(current, now());
      current = commit;
      await saveUnlinked();
      return true;
    },

    async removeStale(git) {
      const foreign = await removeForeign();
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
      if (due.length > 0 || foreign.removed) await git.pruneWorktrees();
      if (due.length > 0 || foreign.counted) await saveUnlinked();
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

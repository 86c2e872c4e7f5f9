import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GIT_SYNC_LAYOUT, type Logger } from '@fortune-sidecar/common';
import { type Git, type GitTransport, openGit } from './git.ts';
import type { Publisher } from './publish.ts';
import { removeGitLeftovers } from './repo-repair.ts';

/** A ref taken as a commit hash, full or abbreviated (git abbreviates to 7 characters at least). */
const COMMIT_HASH = /^[0-9a-f]{7,64}$/i;

export interface SyncOptions {
  readonly root: string;
  /**
   * What git fetches from, asked once per sync (credentials.ts checks the password file then).
   * A throw fails the sync before anything is fetched.
   */
  readonly fetchUrl: () => string;
  /** The repository as logs show it, without a password. */
  readonly shownUrl: string;
  readonly ref: string;
  readonly depth: number;
  /** See GitOptions. */
  readonly stallTimeoutMs: number;
  /** See GitOptions: credentials and SSH for the fetches. */
  readonly transport?: GitTransport;
  readonly publisher: Publisher;
  readonly log: Logger;
  /**
   * Counts upstream's git_fetch_count_total as upstream does: once per sync whose fetch brought a
   * commit to publish, and once for the first sync of each start (upstream runs `git fetch` at
   * every sync but counts only these), so that its dashboards read the same numbers here.
   */
  readonly onFetched?: () => void;
}

export interface Synced {
  readonly commit: string;
  /** True when this sync moved the link to a new commit. */
  readonly changed: boolean;
}

/**
 * One sync: make sure the bare repository is sound, fetch the ref, publish the commit if it is
 * not the one already published. Rewritten history is nothing special: the ref is fetched by name
 * into FETCH_HEAD, never merged, so a force-push simply publishes the new tip.
 */
export function createSync(options: SyncOptions): (signal: AbortSignal) => Promise<Synced> {
  const { shownUrl, ref, depth, publisher, log } = options;
  const repoDir = join(options.root, GIT_SYNC_LAYOUT.repo);
  const gitOptions = { stallTimeoutMs: options.stallTimeoutMs, transport: options.transport };
  let first = true;

  async function openRepository(signal: AbortSignal): Promise<Git> {
    if (await exists(repoDir)) {
      const git = openGit(repoDir, signal, gitOptions);
      if (await git.isBareRepository()) return git;
      // The published worktree is left alone: it stays linked until a new one is ready.
      log.warn(`${repoDir} is not a sound git repository, creating it again`);
      await rm(repoDir, { recursive: true, force: true });
    }
    await mkdir(repoDir, { recursive: true });
    const git = openGit(repoDir, signal, gitOptions);
    await git.initBare();
    return git;
  }

  async function fetchCommit(git: Git, fetchUrl: string, signal: AbortSignal): Promise<string> {
    if (!COMMIT_HASH.test(ref)) {
      await git.fetch(fetchUrl, ref, depth);
      const commit = await git.resolveCommit('FETCH_HEAD');
      if (commit === undefined) throw new Error(`${ref} of ${shownUrl} does not name a commit`);
      return commit;
    }
    const prefix = ref.toLowerCase();
    const full = ref.length === 40 || ref.length === 64;
    // A commit never changes: once it is here, there is nothing to fetch. Except at the first sync
    // of each start, as upstream: the fetch applies GITSYNC_DEPTH, which may have changed since.
    const here = await git.resolveCommit(ref);
    if (here?.startsWith(prefix) && !(first && full)) return here;
    if (full) {
      try {
        await git.fetch(fetchUrl, ref, depth);
        const commit = await git.resolveCommit('FETCH_HEAD');
        if (commit?.startsWith(prefix)) return commit;
      } catch (error) {
        if (signal.aborted) throw error;
        // Servers speaking protocol v0 only give out commits that a branch or tag points to.
        log.info(`The server refused to send ${ref} by hash; fetching all branches and tags instead`, {
          error,
        });
      }
    }
    // An abbreviated hash cannot be asked for: look for it in everything the server has.
    await git.fetchAll(fetchUrl);
    const found = await git.resolveCommit(ref);
    if (!found?.startsWith(prefix)) throw new Error(`no commit ${ref} in any branch or tag of ${shownUrl}`);
    return found;
  }

  /** Between git commands only: git-sync runs one at a time, and is alone on its root (see main). */
  async function removeLeftovers(): Promise<void> {
    const removed = await removeGitLeftovers(repoDir);
    if (removed.length > 0)
      log.info(`Removed what an interrupted git command left in ${GIT_SYNC_LAYOUT.repo}`, {
        files: removed.join(' '),
      });
  }

  async function syncOnce(signal: AbortSignal): Promise<Synced> {
    const fetchUrl = options.fetchUrl();
    const git = await openRepository(signal);
    try {
      await publisher.removeStale(git);
    } catch (error) {
      if (signal.aborted) throw error;
      log.warn('Could not remove old worktrees, trying again at the next sync', { error });
    }
    const commit = await fetchCommit(git, fetchUrl, signal);
    if (first || commit !== publisher.published()) options.onFetched?.();
    const changed = await publisher.publish(commit, git, signal);
    if (changed) log.info(`Synced ${shownUrl} ${ref} to ${commit}`);
    else if (first) log.info(`${shownUrl} ${ref} is at ${commit}, which is already published`);
    first = false;
    return { commit, changed };
  }

  // A git-sync killed mid-fetch leaves locks that fail every later fetch; a full disk leaves
  // objects that keep it full. Both go at start, and right after each failure rather than at
  // the next attempt, which may be minutes later.
  let leftoversPossible = true;
  return async (signal) => {
    try {
      if (leftoversPossible) await removeLeftovers();
      leftoversPossible = false;
      return await syncOnce(signal);
    } catch (error) {
      leftoversPossible = true;
      try {
        await removeLeftovers();
        leftoversPossible = false;
      } catch (cause) {
        log.warn('Could not remove what the failed git command left, trying again at the next sync', {
          error: cause,
        });
      }
      throw error;
    }
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

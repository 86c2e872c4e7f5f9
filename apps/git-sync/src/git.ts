import { realpath } from 'node:fs/promises';
import { type GitCommand, GitCommandError, runGit } from './git-process.ts';

/** The git commands git-sync needs, run in one repository folder. */
export interface Git {
  /** Whether the folder is a bare repository of its own (not a folder inside some other repository). */
  isBareRepository(): Promise<boolean>;
  initBare(): Promise<void>;
  /** Fetches into FETCH_HEAD; depth 0 means the whole history. */
  fetch(url: string, ref: string, depth: number): Promise<void>;
  /** Fetches every branch and tag with their whole history, for a commit that cannot be asked for by hash. */
  fetchAll(url: string): Promise<void>;
  /** The commit a revision names, or undefined when this repository does not have it. */
  resolveCommit(revision: string): Promise<string | undefined>;
  addWorktree(path: string, commit: string): Promise<void>;
  moveWorktree(from: string, to: string): Promise<void>;
  pruneWorktrees(): Promise<void>;
}

export interface GitOptions {
  /**
   * An HTTP(S) transfer that receives less than one byte a second for this long is dropped:
   * a remote that stalls fails the fetch before the sync timeout, however long that is.
   */
  readonly stallTimeoutMs: number;
}

/**
 * Runs git in `dir`, each command in a process group of its own (see runGit). `signal` aborts
 * the running command (sync timeout, shutdown).
 */
export function openGit(dir: string, signal: AbortSignal, options: GitOptions): Git {
  const run = (args: GitCommand['args'], config?: GitCommand['config']) =>
    runGit({ args, config, cwd: dir, signal });
  // For the fetch only, on its command line: git-sync never writes to git's configuration.
  const dropStalls = {
    'http.lowSpeedLimit': '1',
    'http.lowSpeedTime': String(Math.ceil(options.stallTimeoutMs / 1000)),
  };

  async function isShallow(): Promise<boolean> {
    return (await run(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  return {
    async isBareRepository() {
      let answer: string;
      try {
        answer = await run(['rev-parse', '--is-bare-repository', '--absolute-git-dir']);
      } catch (error) {
        if (error instanceof GitCommandError) return false;
        throw error;
      }
      const [bare, gitDir] = answer.trim().split('\n');
      return bare === 'true' && gitDir === (await realpath(dir));
    },
    async initBare() {
      await run(['init', '--quiet', '--bare']);
    },
    async fetch(url, ref, depth) {
      const history = depth > 0 ? ['--depth', String(depth)] : (await isShallow()) ? ['--unshallow'] : [];
      // By URL rather than a configured remote: the URL may carry credentials, which must not reach the config.
      await run(['fetch', '--quiet', '--no-tags', ...history, '--end-of-options', url, ref], dropStalls);
    },
    async fetchAll(url) {
      const history = (await isShallow()) ? ['--unshallow'] : [];
      await run(
        [
          'fetch',
          '--quiet',
          '--no-tags',
          '--prune',
          ...history,
          '--end-of-options',
          url,
          '+refs/heads/*:refs/gitsync/heads/*',
          '+refs/tags/*:refs/gitsync/tags/*',
        ],
        dropStalls,
      );
    },
    async resolveCommit(revision) {
      try {
        return (await run(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
      } catch (error) {
        // What --quiet makes of "no such commit": exit code 1 and not a word.
        if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
        throw error;
      }
    },
    async addWorktree(path, commit) {
      await run(['worktree', 'add', '--quiet', '--detach', path, commit]);
    },
    async moveWorktree(from, to) {
      await run(['worktree', 'move', from, to]);
    },
    async pruneWorktrees() {
      await run(['worktree', 'prune']);
    },
  };
}

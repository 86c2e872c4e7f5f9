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
  /** `checkOut` false: the worktree is made with no files, for a sparse checkout to fill. */
  addWorktree(path: string, commit: string, checkOut?: boolean): Promise<void>;
  moveWorktree(from: string, to: string): Promise<void>;
  pruneWorktrees(): Promise<void>;
}

/** What a command that reaches the remote needs besides its arguments: credentials, SSH. */
export interface GitTransport {
  /** Variables for git, such as GIT_ASKPASS or GIT_SSH_COMMAND. */
  readonly env?: Readonly<Record<string, string>>;
  /** Settings given with `-c`, never written to the repository's configuration. */
  readonly config?: Readonly<Record<string, string>>;
  /** A clearer error for a failed fetch, when the reason is known (a refused host key). */
  readonly explain?: (error: GitCommandError) => Error | undefined;
}

export interface GitOptions {
  /**
   * An HTTP(S) transfer that receives less than one byte a second for this long is dropped:
   * a remote that stalls fails the fetch before the sync timeout, however long that is.
   */
  readonly stallTimeoutMs: number;
  readonly transport?: GitTransport;
}

/**
 * Runs git in `dir`, each command in a process group of its own (see runGit). `signal` aborts
 * the running command (sync timeout, shutdown).
 */
export function openGit(dir: string, signal: AbortSignal, options: GitOptions): Git {
  const run = (args: GitCommand['args']) => runGit({ args, cwd: dir, signal });
  const transport = options.transport ?? {};
  // For the fetch only, on its command line: git-sync never writes to git's configuration.
  const fetchConfig = {
    'http.lowSpeedLimit': '1',
    'http.lowSpeedTime': String(Math.ceil(options.stallTimeoutMs / 1000)),
    ...transport.config,
  };
  async function fetchWith(args: GitCommand['args']): Promise<void> {
    try {
      await runGit({ args, config: fetchConfig, env: transport.env, cwd: dir, signal });
    } catch (error) {
      if (error instanceof GitCommandError) throw transport.explain?.(error) ?? error;
      throw error;
    }
  }

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
      // By URL rather than a configured remote: git-sync never writes to the repository's config.
      await fetchWith(['fetch', '--quiet', '--no-tags', ...history, '--end-of-options', url, ref]);
    },
    async fetchAll(url) {
      const history = (await isShallow()) ? ['--unshallow'] : [];
      await fetchWith([
        'fetch',
        '--quiet',
        '--no-tags',
        '--prune',
        ...history,
        '--end-of-options',
        url,
        '+refs/heads/*:refs/gitsync/heads/*',
        '+refs/tags/*:refs/gitsync/tags/*',
      ]);
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
    async addWorktree(path, commit, checkOut = true) {
      await run([
        'worktree',
        'add',
        '--quiet',
        '--detach',
        ...(checkOut ? [] : ['--no-checkout']),
        path,
        commit,
      ]);
    },
    async moveWorktree(from, to) {
      await run(['worktree', 'move', from, to]);
    },
    async pruneWorktrees() {
      await run(['worktree', 'prune']);
    },
  };
}

import { realpath } from 'node:fs/promises';
import { simpleGit } from 'simple-git';

/** A git command that ran and failed; the message is git's own, without the command's arguments (they may hold a password). */
export class GitCommandError extends Error {
  constructor(
    readonly command: string,
    stderr: string,
  ) {
    const said = stderr
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('hint:'))
      .join(' ');
    super(`git ${command} failed: ${said || 'no message'}`);
    this.name = 'GitCommandError';
  }
}

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

// simple-git strips these from the environment it passes on, and refuses them when given
// explicitly: they can make git run other programs. The environment below leaves them out.
const GUARDED_VARIABLE = /^(git_|editor$|visual$|pager$|prefix$|ssh_askpass$)/i;

function gitEnvironment(): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !GUARDED_VARIABLE.test(entry[0]),
  );
  // Without credentials git would ask on the terminal and wait there until the sync timeout.
  return { ...Object.fromEntries(inherited), GIT_TERMINAL_PROMPT: '0' };
}

/**
 * Runs git in `dir` with simple-git's protections left on (no unsafe options, config overrides
 * or transports). When `signal` aborts (sync timeout, shutdown), the running command is killed
 * and the call rejects at once with the signal's reason, without waiting for helpers such as
 * git-remote-https that may still hold git's output open.
 */
export function openGit(dir: string, signal: AbortSignal): Git {
  const git = simpleGit({ baseDir: dir, abort: signal, allowEnvironment: ['GIT_TERMINAL_PROMPT'] }).env(
    gitEnvironment(),
  );

  async function run(args: string[]): Promise<string> {
    signal.throwIfAborted();
    const running = git.raw(args);
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([running, aborted]);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new GitCommandError(args[0] ?? '', (error as Error).message);
    } finally {
      signal.removeEventListener('abort', onAbort);
      running.catch(() => {});
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
      // By URL rather than a configured remote: the URL may carry credentials, which must not reach the config.
      await run(['fetch', '--quiet', '--no-tags', ...history, '--end-of-options', url, ref]);
    },
    async fetchAll(url) {
      const history = (await isShallow()) ? ['--unshallow'] : [];
      await run([
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
      const hash = (await run(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
      return hash === '' ? undefined : hash;
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

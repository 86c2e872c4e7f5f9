import { spawn } from 'node:child_process';
import { killGroup, releaseGroup, trackGroup } from './process-groups.ts';

/** A git command that ran and failed; the message is git's own, without the command's arguments (they may hold a password). */
export class GitCommandError extends Error {
  constructor(
    readonly command: string,
    stderr: string,
    /** undefined when git could not be started, or was killed. */
    readonly exitCode?: number,
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

// Variables that make git run other programs or read other configuration (the list simple-git
// guards), and every GIT_* one: git gets none of them from git-sync's environment.
const GUARDED_VARIABLE = /^(git_|editor$|visual$|pager$|prefix$|ssh_askpass$)/i;

function gitEnvironment(extra: Readonly<Record<string, string>>): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !GUARDED_VARIABLE.test(entry[0]),
  );
  // Without credentials git would ask on the terminal and wait there until the sync timeout.
  return { ...Object.fromEntries(inherited), ...extra, GIT_TERMINAL_PROMPT: '0' };
}

/**
 * A fetch may start an automatic gc, which by default detaches into a session of its own: it
 * would outlive a killed command and hold the repository's locks while they are cleaned up.
 * In the foreground it runs inside the command's group, and its time counts in the sync's.
 */
const IN_THE_GROUP = { 'gc.autoDetach': 'false', 'maintenance.autoDetach': 'false' };

export interface GitCommand {
  /** git's subcommand, such as `fetch`, then its arguments. */
  readonly args: readonly [string, ...string[]];
  /** Settings for this command only, given as `-c name=value`: never written to git's configuration. */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * Variables for this command only (GIT_ASKPASS, GIT_SSH_COMMAND): git-sync's own GIT_* ones
   * never reach git, these are the ones it chose.
   */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly signal: AbortSignal;
}

/**
 * Runs a git command and resolves with its output. git runs in a process group of its own,
 * with the helpers it starts (git-remote-http, index-pack, ssh): when `signal` aborts (sync
 * timeout, shutdown), the whole group is killed, so that no helper stays connected to a remote
 * that stalls, and the call rejects with the signal's reason once git has exited. A helper
 * left in the group when git ends by itself is killed too: no process of a command outlives it.
 */
export function runGit({ args, config = {}, env = {}, cwd, signal }: GitCommand): Promise<string> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const options = Object.entries({ ...IN_THE_GROUP, ...config }).flatMap(([name, value]) => [
      '-c',
      `${name}=${value}`,
    ]);
    const child = spawn('git', [...options, ...args], {
      cwd,
      env: gitEnvironment(env),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const group = child.pid;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (group !== undefined) trackGroup(group);

    const onAbort = () => {
      if (group !== undefined) killGroup(group);
    };
    signal.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(new GitCommandError(args[0], error.message));
    });
    child.on('exit', () => {
      signal.removeEventListener('abort', onAbort);
      if (group !== undefined) {
        releaseGroup(group);
        killGroup(group);
      }
      // At once: a helper that escaped the group may still hold git's output open.
      if (signal.aborted) reject(signal.reason);
    });
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new GitCommandError(args[0], Buffer.concat(stderr).toString('utf8'), code ?? undefined));
    });
  });
}

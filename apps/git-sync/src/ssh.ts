import { readFileSync } from 'node:fs';
import type { Setting } from '@fortune-sidecar/common';
import type { GitTransport } from './git.ts';
import type { GitCommandError } from './git-process.ts';

/** GITSYNC_SSH_KEY_FILE, GITSYNC_SSH_KNOWN_HOSTS and GITSYNC_SSH_KNOWN_HOSTS_FILE, as upstream names them. */
export interface SshSettings {
  readonly keyFile: string;
  readonly knownHosts: boolean;
  readonly knownHostsFile: string;
}

/**
 * A path for ssh's command line: absolute, and without what ssh would read otherwise in
 * `-i` and UserKnownHostsFile (`%` starts a token, whitespace separates known_hosts files).
 */
export const sshPath: Setting<string> = {
  accepted: 'an absolute path without spaces or "%", such as /etc/git-secret/ssh',
  parse(value) {
    if (!value.startsWith('/')) throw new Error('not an absolute path');
    if (/[\s%]/.test(value)) throw new Error('ssh would read its spaces or "%" as something else');
    if (value.includes('\0')) throw new Error('contains a NUL character');
    return value;
  },
};

/** Why a file ssh needs cannot be read at start, or undefined when it can. */
export function unreadable(file: string): string | undefined {
  try {
    readFileSync(file);
    return undefined;
  } catch (error) {
    return `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

/** For the shell git runs GIT_SSH_COMMAND with: one word, whatever it holds. */
function quoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * How git runs ssh: with the key of GITSYNC_SSH_KEY_FILE only, never prompting (BatchMode), and
 * checking the server's host key against GITSYNC_SSH_KNOWN_HOSTS_FILE unless told not to.
 */
export function sshTransport(settings: SshSettings): GitTransport {
  const hostKeys = settings.knownHosts
    ? ['-o', `UserKnownHostsFile=${quoted(settings.knownHostsFile)}`, '-o', 'StrictHostKeyChecking=yes']
    : // Nothing written to ~/.ssh either: the next start would check against what it wrote.
      ['-o', 'UserKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=no'];
  const command = [
    'ssh',
    '-i',
    quoted(settings.keyFile),
    '-o',
    'IdentitiesOnly=yes',
    ...hostKeys,
    '-o',
    'BatchMode=yes',
  ].join(' ');
  return {
    env: { GIT_SSH_COMMAND: command },
    explain: (error) => explainSshFailure(error, settings),
  };
}

/** ssh's two refusals that a setting of git-sync can cause, said in the settings' terms. */
export function explainSshFailure(error: GitCommandError, settings: SshSettings): Error | undefined {
  const tooOpen = /Permissions (0[0-7]+) for '.*' are too open/.exec(error.message);
  if (tooOpen) {
    return new Error(
      `ssh refused the key in GITSYNC_SSH_KEY_FILE=${settings.keyFile}: its mode is ${tooOpen[1]}, and ssh ignores a private key of its own user that others can read; make it 0600 or 0400 (see the README on Secret volumes)`,
      { cause: error },
    );
  }
  if (settings.knownHosts && error.message.includes('Host key verification failed')) {
    return new Error(
      `ssh refused the server: its host key did not match GITSYNC_SSH_KNOWN_HOSTS_FILE=${settings.knownHostsFile} (${error.message})`,
      { cause: error },
    );
  }
  return undefined;
}

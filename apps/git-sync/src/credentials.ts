import { readFileSync } from 'node:fs';
import { type RepoUrl, secretsOf, urlWithCredentials } from './repo-url.ts';

/** GITSYNC_USERNAME, and the file GITSYNC_PASSWORD_FILE names: a mounted Secret's key. */
export interface CredentialSettings {
  readonly username: string;
  readonly passwordFile: string;
}

/** Why the password file cannot be used; config.ts turns it into a wrong setting at start. */
export class PasswordFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot use the password in GITSYNC_PASSWORD_FILE=${file}: ${reason}`);
    this.name = 'PasswordFileError';
  }
}

/**
 * The password in `file`. A Secret written with `echo` or a text editor often ends with a newline
 * that is not part of it: one is dropped.
 */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PasswordFileError(file, `cannot read it: ${reason}`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new PasswordFileError(file, 'the file is empty');
  return password;
}

export interface FetchCredentials {
  /**
   * The URL this sync fetches from, with the password as the file holds it now: the kubelet
   * updates a mounted Secret in place, and a rotated password must take effect without a restart.
   * Throws a PasswordFileError when the file cannot be used (mid-rotation, or removed), which
   * fails this sync and leaves the published revision in place.
   */
  fetchUrl(): string;
  /** Every password read since start, in each form it may be printed: the old ones stay secret too. */
  secrets(): readonly string[];
}

export function createFetchCredentials(
  repo: RepoUrl,
  settings: CredentialSettings | undefined,
): FetchCredentials {
  let secrets: readonly string[] = secretsOf(repo, undefined);
  let last: string | undefined;
  return {
    fetchUrl() {
      if (!settings) return repo.text;
      const password = readPasswordFile(settings.passwordFile);
      if (password !== last) {
        // Before the URL leaves this function: anything that prints it is redacted already.
        const credentials = { username: settings.username, password };
        secrets = [...new Set([...secrets, ...secretsOf(repo, credentials)])];
        last = password;
      }
      return urlWithCredentials(repo, { username: settings.username, password });
    },
    secrets: () => secrets,
  };
}

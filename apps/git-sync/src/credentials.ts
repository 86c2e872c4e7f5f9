import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GitTransport } from './git.ts';
import { type RepoUrl, secretsOf } from './repo-url.ts';

/**
 * The program git runs as GIT_ASKPASS: beside this module in the sources, and in dist/assets
 * beside the bundle (scripts/bundle.mjs copies src/assets, keeping it executable).
 */
export const ASKPASS = fileURLToPath(new URL('./assets/askpass.sh', import.meta.url));

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
 * The password in `file`: its one line. A Secret written with `echo`, a text editor or
 * `kubectl create secret --from-file` often ends with a newline that is not part of it: line
 * breaks at the end are dropped. A second line is refused: git reads the askpass program's answer
 * up to the first line break, so the rest would be ignored without a word (a file holding another
 * format, such as `user:password` lines or a JSON credential, would send its first line).
 */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PasswordFileError(file, `cannot read it: ${reason}`);
  }
  const password = text.replace(/[\r\n]+$/, '');
  if (password === '') throw new PasswordFileError(file, 'the file is empty');
  if (/[\r\n]/.test(password))
    throw new PasswordFileError(
      file,
      'it holds more than one line, and git would send only the first: put the password alone in it',
    );
  return password;
}

export interface FetchCredentials {
  /**
   * The URL this sync fetches from, which never holds the password from GITSYNC_PASSWORD_FILE.
   * Reads the file first, to fail this sync with a clear reason when it cannot be used
   * (mid-rotation, or removed), leaving the published revision in place, and to know the
   * password before git may print it: a rotated one is redacted from then on.
   */
  fetchUrl(): string;
  /**
   * How git gets the credentials: from the askpass program, which reads the file when the
   * server asks, so the password is never in an argument or a variable of any process.
   */
  readonly transport: GitTransport;
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
        secrets = [...new Set([...secrets, ...secretsOf(repo, { username: settings.username, password })])];
        last = password;
      }
      return repo.text;
    },
    transport: settings
      ? {
          env: {
            GIT_ASKPASS: ASKPASS,
            GITSYNC_USERNAME: settings.username,
            GITSYNC_PASSWORD_FILE: settings.passwordFile,
          },
          // No credential helper of the image's or the user's git configuration: `store` would
          // write the password that worked into ~/.git-credentials.
          config: { 'credential.helper': '' },
        }
      : {},
    secrets: () => secrets,
  };
}

import {
  absolutePath,
  boolean,
  ConfigError,
  ConfigErrors,
  type Declared,
  duration,
  type Env,
  integer,
  logFormatSetting,
  optional,
  port,
  readSettings,
  required,
  type Setting,
  text,
  variablesOf,
  withDefault,
} from '@fortune-sidecar/common';
import { type CredentialSettings, PasswordFileError, readPasswordFile } from './credentials.ts';
import { hookCommand, httpMethod, successStatus, webhookUrl } from './hook-settings.ts';
import { repoUrl } from './repo-url.ts';
import { inRoot, rootFile } from './side-files.ts';
import { type SshSettings, sshPath, unreadable } from './ssh.ts';
import { submodulesMode } from './submodules.ts';
import { syncSignal } from './sync-signal.ts';
import { type StartWarning, withUpstreamNames } from './upstream-names.ts';

/** A branch, tag or commit as `git fetch` takes it; never something git would read as an option. */
const gitRef: Setting<string> = {
  accepted: 'HEAD, a branch, a tag or a commit hash, such as main, v1.2.0 or 3f9a2c1',
  parse(value) {
    if (value.startsWith('-')) throw new Error('starts with "-"');
    if (/[\s~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.lock$|\.$/.test(value) || hasControlCharacter(value))
      throw new Error('not a valid git reference name');
    return value;
  },
};

function hasControlCharacter(value: string): boolean {
  return [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

/** The link's name in GITSYNC_ROOT: one file name, visible (the web server hides dotfiles). */
const linkName: Setting<string> = {
  accepted: 'a plain file name such as html: no "/", not starting with "."',
  parse(value) {
    if (value.includes('/')) throw new Error('contains "/"');
    if (value.startsWith('.')) throw new Error('starts with "."');
    if (value.includes('\0')) throw new Error('contains a NUL character');
    return value;
  },
};

const settings = {
  repo: required('GITSYNC_REPO', repoUrl),
  ref: withDefault('GITSYNC_REF', 'HEAD', gitRef),
  periodMs: withDefault('GITSYNC_PERIOD', '10s', duration(10)),
  depth: withDefault('GITSYNC_DEPTH', '1', integer(0, 1_000_000)),
  root: withDefault('GITSYNC_ROOT', '/git', absolutePath),
  link: withDefault('GITSYNC_LINK', 'html', linkName),
  oneTime: withDefault('GITSYNC_ONE_TIME', 'false', boolean),
  maxFailures: withDefault('GITSYNC_MAX_FAILURES', '3', integer(-1, 1_000_000)),
  httpPort: optional('GITSYNC_HTTP_PORT', port),
  syncTimeoutMs: withDefault('GITSYNC_SYNC_TIMEOUT', '2m', duration(100)),
  stallTimeoutMs: withDefault('GITSYNC_HTTP_STALL_TIMEOUT', '1m', duration(1000)),
  staleWorktreeTimeoutMs: withDefault('GITSYNC_STALE_WORKTREE_TIMEOUT', '10s', duration(0)),
  username: optional('GITSYNC_USERNAME', text),
  passwordFile: optional('GITSYNC_PASSWORD_FILE', absolutePath),
  sshKeyFile: withDefault('GITSYNC_SSH_KEY_FILE', '/etc/git-secret/ssh', sshPath),
  sshKnownHosts: withDefault('GITSYNC_SSH_KNOWN_HOSTS', 'true', boolean),
  sshKnownHostsFile: withDefault('GITSYNC_SSH_KNOWN_HOSTS_FILE', '/etc/git-secret/known_hosts', sshPath),
  allowLocal: withDefault('GITSYNC_ALLOW_LOCAL', 'false', boolean),
  touchFile: optional('GITSYNC_TOUCH_FILE', rootFile),
  errorFile: optional('GITSYNC_ERROR_FILE', rootFile),
  syncOnSignal: optional('GITSYNC_SYNC_ON_SIGNAL', syncSignal),
  sparseCheckoutFile: optional('GITSYNC_SPARSE_CHECKOUT_FILE', absolutePath),
  submodules: withDefault('GITSYNC_SUBMODULES', 'recursive', submodulesMode),
  // Upstream's defaults and its floor of 1s on each duration.
  exechookCommand: optional('GITSYNC_EXECHOOK_COMMAND', hookCommand),
  exechookTimeoutMs: withDefault('GITSYNC_EXECHOOK_TIMEOUT', '30s', duration(1000)),
  exechookBackoffMs: withDefault('GITSYNC_EXECHOOK_BACKOFF', '3s', duration(1000)),
  webhookUrl: optional('GITSYNC_WEBHOOK_URL', webhookUrl),
  webhookMethod: withDefault('GITSYNC_WEBHOOK_METHOD', 'POST', httpMethod),
  webhookSuccessStatus: withDefault('GITSYNC_WEBHOOK_SUCCESS_STATUS', '200', successStatus),
  webhookTimeoutMs: withDefault('GITSYNC_WEBHOOK_TIMEOUT', '1s', duration(1000)),
  webhookBackoffMs: withDefault('GITSYNC_WEBHOOK_BACKOFF', '3s', duration(1000)),
  logFormat: logFormatSetting,
};

export const KNOWN_VARIABLES = variablesOf(settings);

/**
 * Reads git-sync's settings without reading any file: what a manifest check can verify. The
 * password file is read at each sync (see credentials.ts); loadConfigAtStart reads it once more.
 */
export function loadConfig(env: Env) {
  return load(env, false);
}

/**
 * loadConfig, with the password file (and the SSH key and known_hosts files of an ssh
 * repository) read once: at start, a missing, unreadable or empty secret
 * is a wrong setting like any other (exit 2, reported with the others), not a failed first fetch.
 */
export function loadConfigAtStart(env: Env) {
  return load(env, true);
}

function load(env: Env, readPassword: boolean) {
  // Upstream's older names (GIT_SYNC_REPO, GIT_SYNC_WAIT, ...): see upstream-names.ts.
  const upstream = withUpstreamNames(env, settings);
  const { named } = upstream;
  const { username, passwordFile, allowLocal, sshKeyFile, sshKnownHosts, sshKnownHostsFile, ...rest } =
    readAll(env, upstream.settings, upstream.errors);
  const { repo } = rest;
  const errors: ConfigError[] = [];
  const warnings: StartWarning[] = [...upstream.warnings];

  if (repo.kind === 'local' && !allowLocal) {
    errors.push(
      new ConfigError(
        named('GITSYNC_REPO'),
        repo.text,
        'a remote URL (https://, http://, git://, ssh:// or user@host:path)',
        'a local repository needs GITSYNC_ALLOW_LOCAL=true',
      ),
    );
  }

  let credentials: CredentialSettings | undefined;
  if (username !== undefined || passwordFile !== undefined) {
    const readable =
      passwordFile === undefined ||
      !readPassword ||
      checkPasswordFile(named('GITSYNC_PASSWORD_FILE'), passwordFile, errors);
    if (username === undefined) {
      errors.push(
        new ConfigError(
          named('GITSYNC_USERNAME'),
          undefined,
          `a user name, since ${named('GITSYNC_PASSWORD_FILE')} is set`,
        ),
      );
    } else if (passwordFile === undefined) {
      errors.push(
        new ConfigError(
          named('GITSYNC_PASSWORD_FILE'),
          undefined,
          `a password file, since ${named('GITSYNC_USERNAME')} is set`,
        ),
      );
    } else if (repo.kind !== 'http') {
      errors.push(
        new ConfigError(
          named('GITSYNC_USERNAME'),
          username,
          'no user name and password for this GITSYNC_REPO',
          'a user name and password only work with http:// and https:// repositories',
        ),
      );
    } else if (new URL(repo.text).password !== '') {
      errors.push(
        new ConfigError(
          named('GITSYNC_REPO'),
          repo.text,
          `credentials in ${named('GITSYNC_USERNAME')} and ${named('GITSYNC_PASSWORD_FILE')} or in the URL, not both`,
          `it has a password in it, and ${named('GITSYNC_USERNAME')} is set`,
        ),
      );
    } else if (readable) {
      credentials = { username, passwordFile };
    }
  }

  // Only an ssh repository uses them, as upstream: the defaults name files that need not exist otherwise.
  let ssh: SshSettings | undefined;
  if (repo.kind === 'ssh') {
    ssh = { keyFile: sshKeyFile, knownHosts: sshKnownHosts, knownHostsFile: sshKnownHostsFile };
    const files: [string, string, boolean][] = [
      [named('GITSYNC_SSH_KEY_FILE'), sshKeyFile, true],
      [named('GITSYNC_SSH_KNOWN_HOSTS_FILE'), sshKnownHostsFile, sshKnownHosts],
    ];
    for (const [variable, file, used] of files) {
      const reason = readPassword && used ? unreadable(file) : undefined;
      if (reason !== undefined)
        errors.push(
          new ConfigError(
            variable,
            file,
            'an absolute path to a readable file, such as a mounted Secret key',
            reason,
          ),
        );
    }
  } else {
    // Upstream sets them up for any repository (its submodules may use ssh); here they apply to an
    // ssh repository and its submodules only, so one set for another repository is said to do nothing.
    for (const variable of [
      'GITSYNC_SSH_KEY_FILE',
      'GITSYNC_SSH_KNOWN_HOSTS',
      'GITSYNC_SSH_KNOWN_HOSTS_FILE',
    ]) {
      if (env[named(variable)] !== undefined)
        warnings.push({
          message: 'Ignoring an SSH setting, which only an ssh repository uses',
          fields: {
            variable: named(variable),
            why: `${named('GITSYNC_REPO')} is not ssh:// or user@host:path, and only such a repository and its submodules are fetched with ssh`,
          },
        });
    }
  }

  // Read again for each new worktree (sparse-checkout.ts); at start, a wrong path stops git-sync.
  const sparseReason =
    rest.sparseCheckoutFile !== undefined && readPassword ? unreadable(rest.sparseCheckoutFile) : undefined;
  if (sparseReason !== undefined)
    errors.push(
      new ConfigError(
        named('GITSYNC_SPARSE_CHECKOUT_FILE'),
        rest.sparseCheckoutFile,
        'an absolute path to a readable file of sparse-checkout patterns',
        sparseReason,
      ),
    );

  if (errors.length > 0) throw new ConfigErrors(errors);
  const { touchFile, errorFile } = rest;
  return {
    ...rest,
    touchFile: touchFile === undefined ? undefined : inRoot(rest.root, touchFile),
    errorFile: errorFile === undefined ? undefined : inRoot(rest.root, errorFile),
    credentials,
    ssh,
    /** What to log at start: older upstream names read, and settings that have no effect. */
    warnings,
  };
}

/** readSettings, reporting `more` (two names of one setting) with its errors, all at once. */
function readAll<S extends Record<string, Declared<unknown>>>(
  env: Env,
  declared: S,
  more: readonly ConfigError[],
) {
  try {
    const values = readSettings(env, declared);
    if (more.length > 0) throw new ConfigErrors(more);
    return values;
  } catch (error) {
    if (!(error instanceof ConfigErrors) || error.errors === more) throw error;
    throw new ConfigErrors([...more, ...error.errors]);
  }
}

/** False, with the reason in `errors`, when the password file cannot be used. */
function checkPasswordFile(variable: string, file: string, errors: ConfigError[]): boolean {
  try {
    readPasswordFile(file);
    return true;
  } catch (error) {
    if (!(error instanceof PasswordFileError)) throw error;
    errors.push(
      new ConfigError(
        variable,
        file,
        'an absolute path to a readable file holding the password',
        error.reason,
      ),
    );
    return false;
  }
}

export type GitSyncConfig = ReturnType<typeof loadConfig>;

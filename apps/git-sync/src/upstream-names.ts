import { ConfigError, type Declared, type Env, type LogFields, type Setting } from '@fortune-sidecar/common';

/*
 * Upstream git-sync v4 still reads the names its settings had before (v3's GIT_SYNC_*, and
 * GIT_SSH_KEY_FILE, GIT_KNOWN_HOSTS, ...), with a warning. A manifest written for upstream that
 * sets only GIT_SYNC_REPO would otherwise stop here with "GITSYNC_REPO is missing", and one that
 * sets GIT_SYNC_WAIT would sync at another period without a word. So each older name of a setting
 * this git-sync has is read as upstream reads it, with one warning naming the new name; the older
 * names of settings it does not have are reported at start, never ignored silently.
 *
 * Where upstream reads an older name and the new one both set, the older wins since v4.4 and the
 * new one before: the same manifest means two things, so here two names of one setting set to
 * different values stop git-sync at start instead.
 */

/** An older name and the setting it is read as; `value` when v3 wrote the value otherwise. */
interface OlderName {
  readonly name: string;
  readonly current: string;
  readonly value?: OlderValue;
}

/** How v3 wrote a value: what it accepts, and how it becomes the new name's text. */
interface OlderValue {
  readonly accepted: string;
  toCurrent(text: string): string;
}

function invalid(reason?: string): never {
  throw new Error(reason ?? '');
}

/** v3's --wait: seconds as a decimal number (upstream parses a float, keeping whole milliseconds). */
const floatSeconds: OlderValue = {
  accepted: 'a number of seconds such as 10 or 0.5, as v3 wrote it',
  toCurrent(text) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) invalid('not a number of seconds');
    const ms = Math.trunc(Number(text) * 1000);
    return ms < 0 ? invalid('out of range') : `${ms}ms`;
  },
};

/** v3's --timeout: whole seconds. */
const wholeSeconds: OlderValue = {
  accepted: 'a whole number of seconds such as 120, as v3 wrote it',
  toCurrent(text) {
    if (!/^[+-]?\d+$/.test(text)) invalid('not a whole number of seconds');
    const seconds = Number(text);
    return seconds < 0 ? invalid('out of range') : `${seconds}s`;
  },
};

/** Upstream reads a boolean with Go's strconv.ParseBool, as v3 did: 1, t, TRUE, ... */
const goBoolean: OlderValue = {
  accepted: 'true or false, or as Go reads them: 1, t, T, TRUE, True, 0, f, F, FALSE, False',
  toCurrent(text) {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return 'true';
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return 'false';
    return invalid();
  },
};

/** As upstream's main.go and env.go read them, in the order they are tried. */
export const OLDER_NAMES: readonly OlderName[] = [
  ...[
    'REPO',
    'DEPTH',
    'SUBMODULES',
    'SPARSE_CHECKOUT_FILE',
    'ROOT',
    'LINK',
    'ERROR_FILE',
    'PERIOD',
    'SYNC_TIMEOUT',
    'SYNC_ON_SIGNAL',
    'MAX_FAILURES',
    'TOUCH_FILE',
    'EXECHOOK_COMMAND',
    'EXECHOOK_TIMEOUT',
    'EXECHOOK_BACKOFF',
    'WEBHOOK_URL',
    'WEBHOOK_METHOD',
    'WEBHOOK_SUCCESS_STATUS',
    'WEBHOOK_TIMEOUT',
    'WEBHOOK_BACKOFF',
    'USERNAME',
    'PASSWORD_FILE',
    'SSH_KEY_FILE',
    'SSH_KNOWN_HOSTS_FILE',
  ].map((setting) => ({ name: `GIT_SYNC_${setting}`, current: `GITSYNC_${setting}` })),
  { name: 'GIT_SYNC_ONE_TIME', current: 'GITSYNC_ONE_TIME', value: goBoolean },
  { name: 'GIT_SSH_KEY_FILE', current: 'GITSYNC_SSH_KEY_FILE' },
  { name: 'GIT_SYNC_KNOWN_HOSTS', current: 'GITSYNC_SSH_KNOWN_HOSTS', value: goBoolean },
  { name: 'GIT_KNOWN_HOSTS', current: 'GITSYNC_SSH_KNOWN_HOSTS', value: goBoolean },
  { name: 'GIT_SSH_KNOWN_HOSTS_FILE', current: 'GITSYNC_SSH_KNOWN_HOSTS_FILE' },
  // v3's obsolete settings, which upstream v4 turns into their replacements.
  { name: 'GIT_SYNC_BRANCH', current: 'GITSYNC_REF' },
  { name: 'GIT_SYNC_REV', current: 'GITSYNC_REF' },
  { name: 'GIT_SYNC_DEST', current: 'GITSYNC_LINK' },
  { name: 'GIT_SYNC_WAIT', current: 'GITSYNC_PERIOD', value: floatSeconds },
  { name: 'GIT_SYNC_TIMEOUT', current: 'GITSYNC_SYNC_TIMEOUT', value: wholeSeconds },
  { name: 'GIT_SYNC_MAX_SYNC_FAILURES', current: 'GITSYNC_MAX_FAILURES' },
  { name: 'GIT_SYNC_HOOK_COMMAND', current: 'GITSYNC_EXECHOOK_COMMAND' },
];

/** Older names of upstream settings this git-sync does not have, with what upstream v4 calls each. */
export const UNSUPPORTED_OLDER_NAMES: Readonly<Record<string, string>> = {
  GIT_SYNC_ADD_USER: 'GITSYNC_ADD_USER',
  GIT_SYNC_GROUP_WRITE: 'GITSYNC_GROUP_WRITE',
  GIT_SYNC_PASSWORD: 'GITSYNC_PASSWORD',
  GIT_SYNC_COOKIE_FILE: 'GITSYNC_COOKIE_FILE',
  GIT_COOKIE_FILE: 'GITSYNC_COOKIE_FILE',
  GIT_SYNC_ASKPASS_URL: 'GITSYNC_ASKPASS_URL',
  GIT_ASKPASS_URL: 'GITSYNC_ASKPASS_URL',
  GIT_SYNC_GIT: 'GITSYNC_GIT',
  GIT_SYNC_GIT_CONFIG: 'GITSYNC_GIT_CONFIG',
  GIT_SYNC_GIT_GC: 'GITSYNC_GIT_GC',
  GIT_SYNC_HTTP_BIND: 'GITSYNC_HTTP_BIND',
  GIT_SYNC_HTTP_METRICS: 'GITSYNC_HTTP_METRICS',
  GIT_SYNC_HTTP_PPROF: 'GITSYNC_HTTP_PPROF',
  GIT_SYNC_PERMISSIONS: "v3's --change-permissions, which upstream v4 refuses",
};

/** Every older name this git-sync knows: the others that start with GIT_SYNC_ are reported as unknown. */
export const UPSTREAM_OLDER_NAMES: readonly string[] = [
  ...OLDER_NAMES.map((older) => older.name),
  ...Object.keys(UNSUPPORTED_OLDER_NAMES),
];

const SEE = 'apps/git-sync/README.md#every-upstream-setting';

/** A line for the log at start, once the logger exists. */
export interface StartWarning {
  readonly message: string;
  readonly fields: LogFields;
}

export interface UpstreamNames<S> {
  /** The settings, each reading the name that is set: an older one, if only it is. */
  readonly settings: S;
  /** Two names of one setting set to different values. */
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly StartWarning[];
  /** The variable a setting was read from, for messages: `GIT_SYNC_USERNAME` rather than `GITSYNC_USERNAME`. */
  named(current: string): string;
}

/** Reads each setting under its older upstream name where only that one is set. */
export function withUpstreamNames<S extends Record<string, Declared<unknown>>>(
  env: Env,
  settings: S,
): UpstreamNames<S> {
  const errors: ConfigError[] = [];
  const warnings: StartWarning[] = [];
  const readAs = new Map<string, string>();
  const replaced: Record<string, Declared<unknown>> = { ...settings };

  for (const [key, declared] of Object.entries(settings)) {
    const current = declared.variable;
    const olders = OLDER_NAMES.filter((older) => older.current === current && env[older.name] !== undefined);
    // Upstream's own rule for v3's pair: a branch with GIT_SYNC_REV=HEAD (v3's default) is that branch.
    const branch = olders.some((older) => older.name === 'GIT_SYNC_BRANCH');
    const used = olders.filter(
      (older) => !(branch && older.name === 'GIT_SYNC_REV' && env[older.name] === 'HEAD'),
    );
    for (const older of olders) warnings.push(olderNameWarning(env, older));
    const [first] = used;
    if (first === undefined) continue;

    const set = [...(env[current] === undefined ? [] : [current]), ...used.map((older) => older.name)];
    // Compared as the new name would hold them: GIT_KNOWN_HOSTS=1 is GITSYNC_SSH_KNOWN_HOSTS=true.
    const differ = new Set(set.map((name) => inCurrentWords(env, name))).size > 1;
    if (differ) {
      const others = set.filter((name) => name !== first.name);
      const why =
        env[current] === undefined ? '' : ': upstream takes the older name since v4.4, the new one before';
      errors.push(
        new ConfigError(
          first.name,
          env[first.name],
          `one name for one setting: ${current} alone, as upstream v4 names it`,
          `${others.join(' and ')} ${others.length > 1 ? 'are' : 'is'} set too, to another value${why}`,
        ),
      );
      continue;
    }
    if (env[current] !== undefined) continue;
    readAs.set(current, first.name);
    replaced[key] = { ...declared, variable: first.name, setting: olderSetting(declared.setting, first) };
  }

  for (const [name, upstream] of Object.entries(UNSUPPORTED_OLDER_NAMES)) {
    if (env[name] !== undefined)
      warnings.push({
        message: 'Ignoring an upstream setting this git-sync does not have',
        fields: { variable: name, upstream, see: SEE },
      });
  }

  return {
    settings: replaced as S,
    errors,
    warnings,
    named: (current) => readAs.get(current) ?? current,
  };
}

/** A variable's value as the new name would be written, or as it is when it cannot be. */
function inCurrentWords(env: Env, name: string): string | undefined {
  const text = env[name];
  const older = OLDER_NAMES.find((each) => each.name === name);
  if (text === undefined || older?.value === undefined) return text;
  try {
    return older.value.toCurrent(text);
  } catch {
    return text;
  }
}

function olderNameWarning(env: Env, older: OlderName): StartWarning {
  const fields: Record<string, unknown> = { variable: older.name, newName: older.current };
  try {
    // What the value is in the new name's words: GIT_SYNC_WAIT=0.5 is GITSYNC_PERIOD=500ms.
    if (older.value) fields.newValue = older.value.toCurrent(env[older.name] ?? '');
  } catch {
    // A wrong value stops git-sync before this line is logged.
  }
  return { message: 'Reading an older upstream name: rename it', fields };
}

/** The new name's setting, reading the value as the older name was written. */
function olderSetting<T>(setting: Setting<T>, older: OlderName): Setting<T> {
  const { value } = older;
  if (value === undefined) return setting;
  return {
    accepted: `${value.accepted}, within what ${older.current} takes (${setting.accepted})`,
    parse: (text) => setting.parse(value.toCurrent(text)),
  };
}

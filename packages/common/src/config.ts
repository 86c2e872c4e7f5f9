import { isAbsolute } from 'node:path';
import { formatDuration, parseDuration } from './duration.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable that is wrong, with what it got and what it accepts. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly got: string | undefined,
    readonly accepted: string,
    readonly reason?: string,
  ) {
    const what =
      got === undefined
        ? `${variable} is required`
        : got === ''
          ? `${variable} is set but empty`
          : `${variable}=${JSON.stringify(withoutPassword(got))} is not valid${reason ? ` (${reason})` : ''}`;
    super(`${what}: expected ${accepted}`);
    this.name = 'ConfigError';
  }
}

/** A URL's password, as in https://user:password@host, never shows in a message. */
function withoutPassword(value: string): string {
  return value.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/, '$1***@');
}

/** Every wrong variable of one service, so a user fixes them all in one go. */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

/**
 * How one variable is read. `parse` throws (with a reason, or none) when the text is
 * not acceptable; `accepted` says in words what is.
 */
export interface Setting<T> {
  readonly accepted: string;
  parse(text: string): T;
}

export interface Declared<T> {
  readonly variable: string;
  readonly setting: Setting<T>;
  readonly fallback: string | undefined;
  readonly optional: boolean;
}

/** A variable with a default: the default is parsed like user input, so it can never be invalid unseen. */
export function withDefault<T>(variable: string, fallback: string, setting: Setting<T>): Declared<T> {
  return { variable, setting, fallback, optional: false };
}

/** A variable that must be set. */
export function required<T>(variable: string, setting: Setting<T>): Declared<T> {
  return { variable, setting, fallback: undefined, optional: false };
}

/** A variable that may be left unset; the value is then `undefined`. */
export function optional<T>(variable: string, setting: Setting<T>): Declared<T | undefined> {
  return { variable, setting, fallback: undefined, optional: true };
}

type Values<S> = { [K in keyof S]: S[K] extends Declared<infer T> ? T : never };

/**
 * Reads a service's variables. Unset means the default; set but empty is an error, because
 * an empty value is nearly always a mistake in a manifest, not a wish for the default.
 */
export function readSettings<S extends Record<string, Declared<unknown>>>(env: Env, settings: S): Values<S> {
  const values: Record<string, unknown> = {};
  const errors: ConfigError[] = [];
  for (const [key, declared] of Object.entries(settings)) {
    const { variable, setting, fallback } = declared;
    const given = env[variable];
    if (given === undefined && fallback === undefined) {
      if (declared.optional) values[key] = undefined;
      else errors.push(new ConfigError(variable, undefined, setting.accepted));
      continue;
    }
    if (given === '') {
      errors.push(new ConfigError(variable, '', setting.accepted));
      continue;
    }
    const text = given ?? (fallback as string);
    try {
      values[key] = setting.parse(text);
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : undefined;
      errors.push(new ConfigError(variable, text, setting.accepted, reason));
    }
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
  return values as Values<S>;
}

/**
 * Variables that start with one of the service's prefixes but that it does not know:
 * a misspelled setting would otherwise be ignored without a word.
 */
export function unknownVariables(env: Env, prefixes: readonly string[], known: Iterable<string>): string[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)) && !knownSet.has(name))
    .sort();
}

export function variablesOf(settings: Record<string, Declared<unknown>>): string[] {
  return Object.values(settings).map((declared) => declared.variable);
}

function invalid(reason?: string): never {
  throw new Error(reason ?? '');
}

export function integer(min: number, max: number): Setting<number> {
  return {
    accepted: `a whole number from ${min} to ${max}`,
    parse(text) {
      if (!/^-?\d+$/.test(text)) invalid();
      const value = Number(text);
      if (value < min || value > max) invalid('out of range');
      return value;
    },
  };
}

export const port: Setting<number> = {
  accepted: 'a port number from 0 to 65535 (0 picks a free port)',
  parse(text) {
    // Kubernetes injects <SERVICE>_PORT=tcp://10.43.0.7:8080 for every Service in the namespace.
    if (text.startsWith('tcp://'))
      invalid('this looks like a Kubernetes service link; set enableServiceLinks: false');
    return integer(0, 65535).parse(text);
  },
};

export function duration(min: number, max = 24 * 3_600_000): Setting<number> {
  return {
    accepted: `a duration such as 500ms, 10s, 1m or 1h, from ${formatDuration(min)} to ${formatDuration(max)}`,
    parse(text) {
      const ms = parseDuration(text);
      if (ms === undefined) invalid();
      if (ms < min || ms > max) invalid('out of range');
      return ms;
    },
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Setting<T> {
  return {
    accepted: `one of ${choices.join(', ')}`,
    parse(text) {
      if (!(choices as readonly string[]).includes(text)) invalid();
      return text as T;
    },
  };
}

export const boolean: Setting<boolean> = {
  accepted: 'true or false',
  parse(text) {
    if (text === 'true') return true;
    if (text === 'false') return false;
    return invalid();
  },
};

export const absolutePath: Setting<string> = {
  accepted: 'an absolute path',
  parse(text) {
    if (!isAbsolute(text)) invalid('relative');
    return text;
  },
};

export const text: Setting<string> = {
  accepted: 'any text',
  parse: (value) => value,
};

/** A host name or IP address to listen on. */
export const listenHost: Setting<string> = {
  accepted: 'an IP address or host name to listen on, such as 0.0.0.0, 127.0.0.1 or ::',
  parse(value) {
    if (!/^[0-9A-Za-z.:_-]+$/.test(value)) invalid();
    return value;
  },
};

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `LOG_FORMAT`, which every service reads. */
export const logFormatSetting = withDefault('LOG_FORMAT', 'text', oneOf(LOG_FORMATS));

import type { LogFormat } from './config.ts';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  readonly format: LogFormat;
  /**
   * Values that must never be printed (passwords, tokens): replaced by `***` wherever they appear.
   * A function when they change while the service runs (a rotated password): asked at each line.
   */
  readonly secrets?: readonly string[] | (() => readonly string[]);
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

type Level = 'info' | 'warn' | 'error';

/**
 * One line per event, with the time first, as `kubectl logs` readers expect:
 * `2026-11-25T21:50:00.123Z Writing fortune to /var/htdocs/index.html`. JSON when asked.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const { secrets: given = [] } = options;
  const secretsNow = typeof given === 'function' ? given : () => given;
  // Made again only when the list is a new one, not at every line.
  let redacting: readonly string[] | undefined;
  let redact = (text: string) => text;
  const redactNow = (line: string) => {
    const secrets = secretsNow();
    if (secrets !== redacting) {
      redacting = secrets;
      // Lines are JSON (or quote values with JSON.stringify), so a secret holding `"` or `\` appears escaped.
      redact = createRedactor(secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]));
    }
    return redact(line);
  };

  const emit = (level: Level, message: string, fields: LogFields = {}) => {
    const time = now().toISOString();
    const line =
      options.format === 'json'
        ? JSON.stringify({ time, level, msg: message, ...plain(fields) })
        : `${time} ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}${textFields(fields)}`;
    write(redactNow(line));
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

/**
 * Replaces every secret in a text by `***`: for the logger, and for anything else a service shows
 * (a health endpoint's body) that may quote an error message holding a password.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((out, secret) => out.split(secret).join('***'), text);
}

function plain(fields: LogFields): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
  );
}

function textFields(fields: LogFields): string {
  return Object.entries(plain(fields))
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      return ` ${key}=${/[\s"=]/.test(shown) || shown === '' ? JSON.stringify(shown) : shown}`;
    })
    .join('');
}

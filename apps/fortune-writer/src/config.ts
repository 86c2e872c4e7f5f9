import {
  absolutePath,
  ConfigError,
  ConfigErrors,
  duration,
  type Env,
  integer,
  logFormatSetting,
  oneOf,
  optional,
  port,
  readSettings,
  type Setting,
  text,
  VOLUME_VARIANTS,
  type VolumeVariant,
  variablesOf,
  withDefault,
} from '@fortune-sidecar/common';
import { validateDetailed } from 'node-cron';
import { cronTimes } from './cron-times.ts';
import { readFortuneList } from './fortune-list.ts';

export type Schedule =
  | { readonly kind: 'interval'; readonly ms: number }
  | { readonly kind: 'cron'; readonly expression: string };

const cronExpression: Setting<string> = {
  accepted: 'a cron expression with 5 or 6 fields, such as "*/10 * * * * *" (every 10 seconds)',
  parse(value) {
    const { valid, errors } = validateDetailed(value);
    if (!valid) throw new Error(errors.map((error) => error.message).join('; '));
    // node-cron accepts some days that never come (the 31st that is a first Monday): found now,
    // at start, rather than after the first write.
    cronTimes(value)(Date.now());
    return value;
  },
};

const FORTUNE_LIST_ACCEPTED =
  'an absolute path to a readable UTF-8 text file with one fortune per line (blank lines and lines starting with # are left out)';

/** Only the path: the file is read by `loadFortuneList`, so checking a manifest's settings reads no file. */
const fortuneListFile: Setting<string> = { accepted: FORTUNE_LIST_ACCEPTED, parse: absolutePath.parse };

const settings = {
  dir: withDefault('FORTUNE_DIR', '/var/htdocs', absolutePath),
  interval: withDefault('FORTUNE_INTERVAL', '10s', duration(10)),
  cron: optional('FORTUNE_SCHEDULE', cronExpression),
  historySize: withDefault('FORTUNE_HISTORY', '20', integer(1, 1000)),
  fortuneListFile: optional('FORTUNE_LIST_FILE', fortuneListFile),
  httpPort: optional('FORTUNE_HTTP_PORT', port),
  podName: optional('POD_NAME', text),
  nodeName: optional('NODE_NAME', text),
  variant: optional('FORTUNE_VARIANT', oneOf(Object.keys(VOLUME_VARIANTS) as VolumeVariant[])),
  logFormat: logFormatSetting,
};

export const KNOWN_VARIABLES = variablesOf(settings);

export function loadConfig(env: Env) {
  const { interval, cron, ...rest } = readSettings(env, settings);
  if (cron !== undefined && env.FORTUNE_INTERVAL !== undefined) {
    throw new ConfigErrors([
      new ConfigError('FORTUNE_SCHEDULE', cron, 'either FORTUNE_SCHEDULE or FORTUNE_INTERVAL, not both'),
    ]);
  }
  const schedule: Schedule =
    cron === undefined ? { kind: 'interval', ms: interval } : { kind: 'cron', expression: cron };
  return { ...rest, schedule };
}

/**
 * The fortunes of `FORTUNE_LIST_FILE`, read at start: a missing, unreadable or empty file is a
 * wrong setting (ConfigErrors), so the writer stops before it writes anything.
 */
export function loadFortuneList(path: string): readonly string[] {
  try {
    return readFortuneList(path);
  } catch (error) {
    throw new ConfigErrors([
      new ConfigError('FORTUNE_LIST_FILE', path, FORTUNE_LIST_ACCEPTED, (error as Error).message),
    ]);
  }
}

export type WriterConfig = ReturnType<typeof loadConfig>;

/**
 * How often a browser without JavaScript reloads the page: the interval, in whole seconds; a
 * cron schedule has no one interval, so every 10 s, the default interval.
 */
export function reloadSeconds(schedule: Schedule): number {
  return schedule.kind === 'interval' ? Math.max(1, Math.round(schedule.ms / 1000)) : 10;
}

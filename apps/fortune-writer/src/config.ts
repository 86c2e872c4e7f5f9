import {
  absolutePath,
  ConfigError,
  ConfigErrors,
  duration,
  type Env,
  integer,
  type Logger,
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
import { fortuneListFile } from './fortune-list.ts';
import { type PodInfo, podInfoFolder } from './pod-info.ts';

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
const listFilePath: Setting<string> = { accepted: FORTUNE_LIST_ACCEPTED, parse: absolutePath.parse };

const POD_INFO_ACCEPTED =
  'an absolute path to a readable folder holding the files labels and annotations of a downwardAPI volume (one key="value" per line), or one of them';

/** Only the path, as for the list: the folder is read by `loadPodInfo`. */
const podInfoDir: Setting<string> = { accepted: POD_INFO_ACCEPTED, parse: absolutePath.parse };

// Kubernetes' own rules for label keys and values (a qualified name, and a name part alone).
const LABEL_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const labelKey: Setting<string> = {
  accepted:
    'a label key such as fortune-sidecar/color (an optional DNS subdomain and /, then 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit), set together with FORTUNE_LABEL_AT_START and FORTUNE_POD_INFO_DIR',
  parse(value) {
    const slash = value.lastIndexOf('/');
    const prefix = slash === -1 ? undefined : value.slice(0, slash);
    const name = value.slice(slash + 1);
    if (!LABEL_NAME.test(name)) throw new Error('not a label key');
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
      throw new Error('not a label key');
    }
    return value;
  },
};

const labelValue: Setting<string> = {
  accepted:
    "the value the pod's label FORTUNE_LABEL had when the container started, usually from the downward API (fieldRef metadata.labels['...']): 1 to 63 letters, digits, -, _ or ., starting and ending with a letter or digit",
  parse(value) {
    if (!LABEL_NAME.test(value)) throw new Error('not a label value');
    return value;
  },
};

const settings = {
  dir: withDefault('FORTUNE_DIR', '/var/htdocs', absolutePath),
  interval: withDefault('FORTUNE_INTERVAL', '10s', duration(10)),
  cron: optional('FORTUNE_SCHEDULE', cronExpression),
  historySize: withDefault('FORTUNE_HISTORY', '20', integer(1, 1000)),
  fortuneListFile: optional('FORTUNE_LIST_FILE', listFilePath),
  httpPort: optional('FORTUNE_HTTP_PORT', port),
  podName: optional('POD_NAME', text),
  nodeName: optional('NODE_NAME', text),
  variant: optional('FORTUNE_VARIANT', oneOf(Object.keys(VOLUME_VARIANTS) as VolumeVariant[])),
  podInfoDir: optional('FORTUNE_POD_INFO_DIR', podInfoDir),
  label: optional('FORTUNE_LABEL', labelKey),
  labelAtStart: optional('FORTUNE_LABEL_AT_START', labelValue),
  logFormat: logFormatSetting,
};

export const KNOWN_VARIABLES = variablesOf(settings);

export function loadConfig(env: Env) {
  const { interval, cron, label, labelAtStart, ...rest } = readSettings(env, settings);
  if (cron !== undefined && env.FORTUNE_INTERVAL !== undefined) {
    throw new ConfigErrors([
      new ConfigError('FORTUNE_SCHEDULE', cron, 'either FORTUNE_SCHEDULE or FORTUNE_INTERVAL, not both'),
    ]);
  }
  const schedule: Schedule =
    cron === undefined ? { kind: 'interval', ms: interval } : { kind: 'cron', expression: cron };
  return { ...rest, schedule, comparedLabel: comparedLabel(label, labelAtStart, rest.podInfoDir) };
}

/**
 * The label the page shows twice, as the volume holds it now and as the environment got it at
 * start: the three settings go together, and the one given without the others is named.
 */
function comparedLabel(
  key: string | undefined,
  atStart: string | undefined,
  podInfoDir: string | undefined,
): { readonly key: string; readonly atStart: string } | undefined {
  if (key === undefined && atStart === undefined) return undefined;
  const missing = [
    ...(key === undefined ? ['FORTUNE_LABEL'] : []),
    ...(atStart === undefined ? ['FORTUNE_LABEL_AT_START'] : []),
    ...(podInfoDir === undefined ? ['FORTUNE_POD_INFO_DIR'] : []),
  ];
  if (key !== undefined && atStart !== undefined && missing.length === 0) return { key, atStart };
  const [variable, value, setting] =
    key !== undefined ? ['FORTUNE_LABEL', key, labelKey] : ['FORTUNE_LABEL_AT_START', atStart, labelValue];
  throw new ConfigErrors([
    new ConfigError(variable, value, setting.accepted, `${missing.join(' and ')} not set`),
  ]);
}

/**
 * The fortunes of `FORTUNE_LIST_FILE`, followed from the start: a missing, unreadable or empty
 * file at start is a wrong setting (ConfigErrors), so the writer stops before it writes anything.
 */
export function loadFortuneList(path: string, log: Logger): () => readonly string[] {
  try {
    return fortuneListFile({ path, log });
  } catch (error) {
    throw new ConfigErrors([
      new ConfigError('FORTUNE_LIST_FILE', path, FORTUNE_LIST_ACCEPTED, (error as Error).message),
    ]);
  }
}

/**
 * The labels and annotations of `FORTUNE_POD_INFO_DIR`, followed from the start: a folder the
 * writer cannot use at start is a wrong setting (ConfigErrors), as a bad list is.
 */
export function loadPodInfo(dir: string, log: Logger): () => PodInfo {
  try {
    return podInfoFolder({ dir, log });
  } catch (error) {
    throw new ConfigErrors([
      new ConfigError('FORTUNE_POD_INFO_DIR', dir, POD_INFO_ACCEPTED, (error as Error).message),
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

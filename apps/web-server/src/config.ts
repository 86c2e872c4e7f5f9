import {
  absolutePath,
  duration,
  type Env,
  integer,
  listenHost,
  logFormatSetting,
  port,
  readSettings,
  variablesOf,
  withDefault,
} from '@fortune-sidecar/common';

const settings = {
  root: withDefault('WEB_ROOT', '/usr/share/fortune/html', absolutePath),
  port: withDefault('WEB_PORT', '8080', port),
  host: withDefault('WEB_HOST', '0.0.0.0', listenHost),
  // The whole request, headers included, must arrive within this time.
  requestTimeoutMs: withDefault('WEB_REQUEST_TIMEOUT', '10s', duration(100, 600_000)),
  // Each watched folder holds one inotify watch, out of a per-user limit the whole node shares.
  watchFolders: withDefault('WEB_WATCH_FOLDERS', '1000', integer(1, 100_000)),
  logFormat: logFormatSetting,
};

export const KNOWN_VARIABLES = variablesOf(settings);

export function loadConfig(env: Env) {
  return readSettings(env, settings);
}

export type WebServerConfig = ReturnType<typeof loadConfig>;

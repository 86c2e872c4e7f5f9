import {
  absolutePath,
  type Env,
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
  logFormat: logFormatSetting,
};

export const KNOWN_VARIABLES = variablesOf(settings);

export function loadConfig(env: Env) {
  return readSettings(env, settings);
}

export type WebServerConfig = ReturnType<typeof loadConfig>;

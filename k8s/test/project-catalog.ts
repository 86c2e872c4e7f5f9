// What the manifest check needs to know about this project's images, taken from where each fact
// lives: the registry from the scripts, the version from package.json, each image's own
// environment from its Dockerfile, and the settings from each service's configuration code.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEALTH_PATHS } from '@fortune-sidecar/common';
import type { Catalog, ImageSpec } from '@fortune-sidecar/manifest-check';
import { REPO_ROOT } from '@fortune-sidecar/testing';
import * as writer from '../../apps/fortune-writer/src/config.ts';
import * as gitSync from '../../apps/git-sync/src/config.ts';
import * as webServer from '../../apps/web-server/src/config.ts';

export const VERSION: string = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).version;

/** The registry that scripts/k3d-up.sh creates, as scripts/lib.sh names it. */
export const REGISTRY = /^DEFAULT_REGISTRY=(\S+)$/m.exec(
  await readFile(join(REPO_ROOT, 'scripts', 'lib.sh'), 'utf8'),
)?.[1];
if (!REGISTRY) throw new Error('scripts/lib.sh no longer sets DEFAULT_REGISTRY');

export const imageReference = (image: string) => `${REGISTRY}/fortune-sidecar/${image}:${VERSION}`;

/** The ENV instructions of a Dockerfile, joined across continued lines. */
export async function dockerfileEnv(image: string): Promise<Record<string, string>> {
  const text = await readFile(join(REPO_ROOT, 'docker', `${image}.Dockerfile`), 'utf8');
  const env: Record<string, string> = {};
  for (const [, body = ''] of text.replace(/\\\n/g, ' ').matchAll(/^ENV\s+(.+)$/gm)) {
    for (const [, name = '', value = ''] of body.matchAll(/(\w+)=(\S+)/g)) env[name] = value;
  }
  return env;
}

const healthPaths = Object.values(HEALTH_PATHS);

export const catalog: Catalog = {
  images: [
    {
      reference: imageReference('fortune-writer'),
      env: await dockerfileEnv('fortune-writer'),
      knownVariables: writer.KNOWN_VARIABLES,
      loadConfig: writer.loadConfig,
      healthPort: (env) => writer.loadConfig(env).httpPort,
      healthPaths,
      readsOnly: false,
    },
    {
      reference: imageReference('web-server'),
      env: await dockerfileEnv('web-server'),
      knownVariables: webServer.KNOWN_VARIABLES,
      loadConfig: webServer.loadConfig,
      healthPort: (env) => webServer.loadConfig(env).port,
      healthPaths,
      readsOnly: true,
    },
    {
      reference: imageReference('git-sync'),
      env: await dockerfileEnv('git-sync'),
      knownVariables: gitSync.KNOWN_VARIABLES,
      loadConfig: gitSync.loadConfig,
      healthPort: (env) => gitSync.loadConfig(env).httpPort,
      healthPaths,
      readsOnly: false,
    },
  ] satisfies ImageSpec[],
  // k3d's k3s ships the local-path provisioner and its class.
  clusterStorageClasses: ['local-path'],
};

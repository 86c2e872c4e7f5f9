import { join } from 'node:path';
import { mustRun } from './containers.ts';
import { REPO_ROOT } from './service-process.ts';

/**
 * The environment the image scripts run with in tests: images named `<prefix>/<image>`, built on
 * a local Node.js base `<prefix>/node-base:test` (no Docker Hub here), whose debootstrap root
 * filesystem is kept between runs. Everything a test builds carries its own prefix.
 */
export function imageScriptEnv(prefix: string): NodeJS.ProcessEnv {
  const baseImage = `${prefix}/node-base:test`;
  return {
    ...process.env,
    IMAGE_PREFIX: prefix,
    BASE_IMAGE: baseImage,
    NODE_IMAGE: baseImage,
    BASE_CACHE: join(REPO_ROOT, 'node_modules', '.cache', 'fortune-sidecar'),
  };
}

/** Runs one of scripts/*.sh and returns what it printed; a failure throws with its output. */
export function runScript(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  return mustRun(join(REPO_ROOT, 'scripts', name), [], { env });
}

/** Builds the base and the three images and pushes them to `registry`, as a user would. */
export async function buildAndPushImages(prefix: string, registry: string): Promise<void> {
  const env = imageScriptEnv(prefix);
  await runScript('build-base-image.sh', env);
  await runScript('build-images.sh', env);
  await runScript('push-images.sh', { ...env, REGISTRY: registry });
}

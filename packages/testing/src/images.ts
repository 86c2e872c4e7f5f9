import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './containers.ts';
import { REPO_ROOT } from './service-process.ts';

/** The official Node.js image the Dockerfiles build on unless NODE_IMAGE says otherwise. */
export interface NodeImage {
  /** `node:<version>-<suite>-slim` */
  readonly image: string;
  /** What `node --version` prints in every image, without its `v`. */
  readonly version: string;
  /** The Debian release, such as `trixie`. */
  readonly suite: string;
}

/** The Node.js image docs/containers.md tells users the images are built on. */
export async function documentedNodeImage(): Promise<NodeImage> {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'containers.md'), 'utf8');
  const [, image, version, suite] = /by default `(node:(\d+\.\d+\.\d+)-([a-z]+)-slim)`/.exec(doc) ?? [];
  if (image === undefined || version === undefined || suite === undefined) {
    throw new Error('docs/containers.md no longer says "by default `node:<version>-<suite>-slim`"');
  }
  return { image, version, suite };
}

/**
 * The environment the image scripts run with in tests: images named `<prefix>/<image>`, built on
 * a local Node.js base `<prefix>/node-base:test` (no Docker Hub here), whose debootstrap root
 * filesystem and node package are kept between runs. Everything a test builds carries its own prefix.
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

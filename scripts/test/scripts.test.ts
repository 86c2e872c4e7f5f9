// The shell scripts as a user meets them: their help, their arguments, and one clear message
// when something they need is missing. Building and pushing for real is in docker/test.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { command, pathWithOnly, REPO_ROOT, skipUnlessAvailable } from '@fortune-sidecar/testing';

const SCRIPTS = join(REPO_ROOT, 'scripts');
const shellScripts = (await readdir(SCRIPTS)).filter((name) => name.endsWith('.sh')).sort();
// CI's entry point is a shell script too.
const checked = [...shellScripts, '../.ci/run'];
const runnable = shellScripts.filter((name) => name !== 'lib.sh');

const run = (name: string, args: string[] = [], env: Record<string, string> = {}) =>
  command(join(SCRIPTS, name), args, { env: { ...process.env, ...env } });

const BASICS = [
  'bash',
  'dirname',
  'basename',
  'sed',
  'awk',
  'cat',
  'mktemp',
  'rm',
  'id',
  'tail',
  'node',
  'git',
];

const noShellcheck = await skipUnlessAvailable(['shellcheck']);
const noDocker = await skipUnlessAvailable(['docker']);
const noClient = (await command('docker', ['--version'])).code !== 0 && 'needs the docker client';

describe('shell scripts', () => {
  it('pass shellcheck', { skip: noShellcheck }, async () => {
    const result = await command('shellcheck', checked, { cwd: SCRIPTS });
    assert.equal(result.code, 0, result.stdout + result.stderr);
  });

  for (const name of runnable) {
    it(`${name} --help explains what it does and its settings`, async () => {
      const result = await run(name, ['--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^\S.*\n/, 'starts with a sentence');
      assert.doesNotMatch(result.stdout, /^#|^\[/m, 'prose, not comments or progress lines');
    });
  }

  it('build-images.sh and push-images.sh name the images they know when given another', async () => {
    for (const name of ['build-images.sh', 'push-images.sh']) {
      const result = await run(name, ['nginx']);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `[${name.replace('.sh', '')}] error: unknown image 'nginx': the images are fortune-writer web-server git-sync\n`,
      );
    }
  });

  it('push-images.sh refuses a REGISTRY that is not host:port', async () => {
    const result = await run('push-images.sh', [], { REGISTRY: 'https://registry.example/v2' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /REGISTRY="https:\/\/registry.example\/v2" is not valid: expected host:port/);
  });

  it('without docker, the image scripts say so once, with how to install it', async () => {
    const PATH = await pathWithOnly(...BASICS);
    for (const name of ['build-base-image.sh', 'build-images.sh', 'push-images.sh']) {
      const result = await run(name, [], { PATH });
      assert.equal(result.code, 1, name);
      assert.match(
        result.stderr,
        /^\[[a-z-]+\] error: docker is not installed\. Install Docker \(https:.*\n$/,
        name,
      );
    }
  });

  it('with a Docker client but no engine, they say to start the engine', { skip: noClient }, async () => {
    const result = await run('build-images.sh', [], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /the Docker engine does not answer \(docker info failed\)\. Start it/);
  });

  it('build-base-image.sh without debootstrap says how to install it, or to use the official image', {
    skip: noDocker,
  }, async () => {
    const PATH = await pathWithOnly(...BASICS, 'docker');
    const result = await run('build-base-image.sh', [], {
      PATH,
      BASE_IMAGE: 'fortune-sidecar-test/absent:none',
      BASE_CACHE: '',
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /debootstrap is not installed\. Install it \(Debian and Ubuntu: apt-get install/,
    );
  });

  it('node-from-npm.sh takes a version or a line, and says what it expected otherwise', async () => {
    const result = await run('node-from-npm.sh', ['latest']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "[node-from-npm] error: 'latest' is not a version: give 26, 22.13 or 26.10.0\n",
    );
  });
});

describe('npm start and npm test on an older Node.js', () => {
  it('stop at once and name the floor, the Node.js found and how to get a newer one', async () => {
    // As if this Node.js were 20: pnpm would otherwise refuse with an engine error about itself.
    const olderNode = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.20.2'})`;
    const result = await command(process.execPath, [
      '--import',
      olderNode,
      join(SCRIPTS, 'pnpm.mjs'),
      '--version',
    ]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'pnpm never ran');
    assert.match(
      result.stderr,
      /^fortune-sidecar needs Node\.js 22\.13 or newer; this is 20\.20\.2\. .*nvm install/,
    );
  });
});

// The images' Node.js version is written where Docker and compose need it literally and where users
// read it; the scripts take it from the Dockerfiles. These copies must agree, with or without Docker.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { documentedNodeImage, REPO_ROOT } from '@fortune-sidecar/testing';

const documented = await documentedNodeImage();
const read = (...path: string[]) => readFile(join(REPO_ROOT, ...path), 'utf8');

describe("the images' Node.js version", () => {
  for (const image of ['fortune-writer', 'web-server', 'git-sync']) {
    it(`${image}.Dockerfile builds on that image unless NODE_IMAGE says otherwise`, async () => {
      const dockerfile = await read('docker', `${image}.Dockerfile`);
      assert.equal(/^ARG NODE_IMAGE=(.*)$/m.exec(dockerfile)?.[1], documented.image);
    });
  }

  it('compose.yaml builds on that image when NODE_IMAGE is unset', async () => {
    const defaults = [...(await read('docker', 'compose.yaml')).matchAll(/\$\{NODE_IMAGE:-([^}]*)\}/g)];
    assert.ok(defaults.length > 0, 'compose.yaml gives NODE_IMAGE a default');
    for (const [, image] of defaults) assert.equal(image, documented.image);
  });

  it('docs/containers.md names no other Node.js version or Debian release for the images', async () => {
    const doc = await read('docs', 'containers.md');
    for (const [mention, version, suite] of doc.matchAll(/node(?:-base)?:(\d+\.\d+\.\d+)-([a-z]+)/g)) {
      assert.deepEqual([version, suite], [documented.version, documented.suite], mention);
    }
    for (const [mention, version] of doc.matchAll(/Node\.js (\d+\.\d+\.\d+)/g)) {
      assert.equal(version, documented.version, mention);
    }
  });
});

// The password of GITSYNC_PASSWORD_FILE and submodules: git asks for credentials from whatever
// host a .gitmodules names, so git-sync must not answer it there.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createOrigin,
  type GitServer,
  startHttpGitServer,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';

const USERNAME = 'deploy';
const PASSWORD = `sub-secret-${process.pid}`;
const base = await tempDir('git-sync-submodule-password-');

describe('git-sync with a submodule on another host', () => {
  let server: GitServer;
  const authorizations: string[] = [];
  // Asks every request for basic credentials, and writes down what it is sent.
  const other = createServer((request, response) => {
    if (request.headers.authorization) authorizations.push(request.headers.authorization);
    response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="other"' }).end();
  });

  before(async () => {
    server = await startHttpGitServer(base, { username: USERNAME, password: PASSWORD });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    const site = await createOrigin(base, 'site.git');
    await site.git(
      'config',
      '--file',
      '.gitmodules',
      'submodule.lib.url',
      `http://127.0.0.1:${port}/lib.git`,
    );
    await site.git('config', '--file', '.gitmodules', 'submodule.lib.path', 'lib');
    const lib = await createOrigin(base, 'lib.git');
    const libCommit = await lib.commit({ file: 'lib' });
    await site.git('update-index', '--add', '--cacheinfo', `160000,${libCommit},lib`);
    // An empty folder is an unpopulated submodule; none at all, a deleted one that `add --all` drops.
    await mkdir(join(await site.git('rev-parse', '--show-toplevel'), 'lib'));
    await site.commit({ file: 'site' });
    await writeFile(join(base, 'password'), `${PASSWORD}\n`);
  });
  after(async () => {
    await server.stop();
    other.close();
  });

  it('fails the sync without sending the password there, nor logging it', async () => {
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: server.url('site.git'),
      GITSYNC_ROOT: join(base, 'root'),
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: join(base, 'password'),
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
    });
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    const output = gitSync.output.join('\n');
    assert.match(output, /submodule/);
    assert.ok(!output.includes(PASSWORD), output);
    const sent = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
    assert.ok(!authorizations.includes(sent), 'the password was sent to the submodule host');
  });

  it('resolves a relative submodule URL against GITSYNC_REPO without the password written into it', async () => {
    const lib = await createOrigin(base, 'relative-lib.git');
    await lib.commit({ file: 'lib' });
    const site = await createOrigin(base, 'relative-site.git');
    await site.git(
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '--quiet',
      '../relative-lib.git',
      'lib',
    );
    await site.commit({ file: 'site' });
    const url = new URL(server.url('relative-site.git'));
    url.username = USERNAME;
    url.password = PASSWORD;
    const root = join(base, 'root-relative');
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: url.href,
      GITSYNC_ROOT: root,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
    });
    // The submodule is on the same server, which wants the password: asked for it, git may not prompt.
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    assert.match(
      gitSync.output.join('\n'),
      /could not read Password for 'http:\/\/deploy@[^']+': terminal prompts disabled fatal: clone of 'http:\/\/deploy@[^']+\/relative-lib\.git'/,
    );
    const config = await readFile(join(root, '.gitsync', 'repo.git', 'config'), 'utf8');
    assert.ok(!config.includes(PASSWORD) && !config.includes(encodeURIComponent(PASSWORD)), config);
  });
});

import assert from 'node:assert/strict';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LIVE_UPDATE_PATHS } from '@fortune-sidecar/common';
import { eventually, httpGet, openEventStream, runToExit, tempDir } from '@fortune-sidecar/testing';
import { startServerProcess as startServer } from './helpers/server-process.ts';

describe('web-server as a process', () => {
  it('is not ready until there is something to serve, then serves it', async () => {
    const root = join(await tempDir(), 'html');
    const { url } = await startServer(root);
    assert.equal((await httpGet(url, '/readyz')).status, 503);
    assert.equal((await httpGet(url, '/')).status, 404);
    await mkdir(root);
    await writeFile(join(root, 'index.txt'), 'hello\n');
    await eventually(async () => ((await httpGet(url, '/readyz')).status === 200 ? true : undefined), {
      what: 'ready',
    });
    assert.equal((await httpGet(url, '/')).body, 'hello\n');
  });

  // A page's live update comes from the same watch event that empties the cache, and after it:
  // the first answer once the event is in must be the new content. Without the cache emptied,
  // that answer would be the copy in memory, which the cache serves even past its 100 ms while
  // it checks the disk.
  it('shows a changed file at once, without waiting for the cache to expire', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.txt'), 'old\n');
    const { url } = await startServer(root);
    const events = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    assert.equal((await httpGet(url, '/')).body, 'old\n');
    await writeFile(join(root, '.tmp'), 'new\n');
    await rename(join(root, '.tmp'), join(root, 'index.txt'));
    await events.next('change');
    assert.equal((await httpGet(url, '/')).body, 'new\n');
    events.close();
  });

  it('follows a git-sync link swap without a restart', async () => {
    const base = await tempDir();
    for (const revision of ['aaa', 'bbb']) {
      await mkdir(join(base, '.gitsync', 'worktrees', revision), { recursive: true });
      await writeFile(join(base, '.gitsync', 'worktrees', revision, 'index.html'), `<p>${revision}</p>\n`);
    }
    await symlink('.gitsync/worktrees/aaa', join(base, 'html'));
    const { url } = await startServer(join(base, 'html'));
    const events = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    assert.equal((await httpGet(url, '/')).body, '<p>aaa</p>\n');
    await symlink('.gitsync/worktrees/bbb', join(base, '.git-sync-html-1.tmp'));
    await rename(join(base, '.git-sync-html-1.tmp'), join(base, 'html'));
    await events.next('change');
    assert.equal((await httpGet(url, '/')).body, '<p>bbb</p>\n');
    events.close();
  });

  // Exit code 0, not the 1 of a shutdown that ran out of time: nothing held the server open.
  it('stops on SIGTERM with exit code 0', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.txt'), 'x\n');
    const { server, url } = await startServer(root);
    await httpGet(url, '/');
    const exit = await server.stop('SIGTERM');
    assert.equal(exit.code, 0);
  });

  const badSettings: [Record<string, string>, string][] = [
    [{ WEB_PORT: '80a' }, 'WEB_PORT="80a" is not valid: expected a port number from 0 to 65535'],
    [{ WEB_PORT: '-1' }, 'WEB_PORT="-1" is not valid (out of range)'],
    [{ WEB_PORT: 'tcp://10.43.0.7:8080' }, 'set enableServiceLinks: false'],
    [{ WEB_ROOT: 'html' }, 'WEB_ROOT="html" is not valid (relative): expected an absolute path'],
    [{ WEB_HOST: 'a b' }, 'WEB_HOST="a b" is not valid: expected an IP address or host name'],
    [{ WEB_HOST: '' }, 'WEB_HOST is set but empty'],
  ];
  for (const [env, message] of badSettings) {
    it(`refuses to start with ${JSON.stringify(env)}: exit 2 and a message naming the variable`, async () => {
      const exit = await runToExit('web-server', { WEB_ROOT: '/tmp', WEB_PORT: '0', ...env });
      assert.equal(exit.code, 2);
      assert.ok(exit.output.startsWith('web-server: '), exit.output);
      assert.ok(exit.output.includes(message), exit.output);
    });
  }

  it('says so and exits 1 when the port is taken', async () => {
    const root = await tempDir();
    const { url } = await startServer(root);
    const exit = await runToExit('web-server', { WEB_ROOT: root, WEB_PORT: url.port, WEB_HOST: '127.0.0.1' });
    assert.equal(exit.code, 1);
    assert.match(exit.output, /EADDRINUSE/);
  });
});

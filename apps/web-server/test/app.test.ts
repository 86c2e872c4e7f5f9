import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeServer, createLogger, listen } from '@fortune-sidecar/common';
import { httpGet, tempDir } from '@fortune-sidecar/testing';
import { createApp } from '../src/app.ts';
import { createLiveUpdates } from '../src/live-updates.ts';
import { createSite } from '../src/site.ts';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

let ready = true;
const logged: string[] = [];
const root = await tempDir();
await writeFile(join(root, 'index.txt'), 'Your heart is pure, and your mind clear, and your soul devout.\n');
await writeFile(join(root, 'index.html'), '<p>page</p>\n');
const large = 'fortune\n'.repeat(300_000);
await writeFile(join(root, 'large.txt'), large);
const site = createSite(root);
const failing = {
  ...site,
  find: (path: string, html: boolean) =>
    path === '/boom' ? Promise.reject(new Error(`EIO ${root}`)) : site.find(path, html),
};
const server = createServer(
  createApp({
    site: failing,
    live: createLiveUpdates(),
    log: createLogger({ format: 'text', write: (line) => logged.push(line) }),
    health: {
      alive: () => ({ ok: true, detail: 'alive' }),
      ready: () => ({ ok: ready, detail: ready ? 'ready' : 'nothing yet' }),
    },
  }),
);
const url = await listen(server, 0, '127.0.0.1');
after(() => closeServer(server));

describe('HTTP answers', () => {
  it('gives curl the plain fortune', async () => {
    const answer = await httpGet(url, '/', { headers: { accept: '*/*' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'Your heart is pure, and your mind clear, and your soul devout.\n');
    assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(answer.headers.vary, 'Accept');
  });

  it('gives a browser the page', async () => {
    const answer = await httpGet(url, '/', { headers: { accept: BROWSER } });
    assert.deepEqual(
      [answer.status, answer.body, answer.headers['content-type']],
      [200, '<p>page</p>\n', 'text/html; charset=utf-8'],
    );
  });

  it('answers 304 to a client that already has the version, by ETag or by date', async () => {
    const first = await httpGet(url, '/index.txt');
    const etag = first.headers.etag as string;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const again = await httpGet(url, '/index.txt', { headers: { 'if-none-match': etag } });
    assert.deepEqual([again.status, again.body, again.headers.etag], [304, '', etag]);
    const byDate = await httpGet(url, '/index.txt', {
      headers: { 'if-modified-since': first.headers['last-modified'] as string },
    });
    assert.equal(byDate.status, 304);
    const changed = await httpGet(url, '/index.txt', { headers: { 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await httpGet(url, '/', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body, head.headers['content-length']], [200, '', '63']);
  });

  it('streams a file too large to keep in memory, with the same headers', async () => {
    const answer = await httpGet(url, '/large.txt');
    assert.deepEqual(
      [answer.status, answer.headers['content-length'], answer.body === large],
      [200, String(large.length), true],
    );
    assert.match(answer.headers.etag as string, /^W\//);
    const head = await httpGet(url, '/large.txt', { method: 'HEAD' });
    assert.deepEqual([head.status, head.body], [200, '']);
    const again = await httpGet(url, '/large.txt', {
      headers: { 'if-none-match': answer.headers.etag as string },
    });
    assert.equal(again.status, 304);
  });

  it('refuses anything but reading with 405 and says what is allowed', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await httpGet(url, '/index.txt', { method });
      assert.deepEqual([answer.status, answer.headers.allow], [405, 'GET, HEAD'], method);
    }
  });

  it('answers 404 for what is not there and for hidden files, 400 for broken paths', async () => {
    assert.equal((await httpGet(url, '/nothing')).status, 404);
    assert.equal((await httpGet(url, '/.git/config')).status, 404);
    assert.equal((await httpGet(url, '/%2e%2e/%2e%2e/etc/passwd')).status, 404);
    assert.equal((await httpGet(url, '/../../etc/passwd')).status, 404);
    assert.equal((await httpGet(url, '/index.txt%00')).status, 400);
  });

  it('answers the health endpoints', async () => {
    assert.equal((await httpGet(url, '/healthz')).status, 200);
    ready = false;
    assert.deepEqual(await httpGet(url, '/readyz').then((a) => [a.status, a.body]), [503, 'nothing yet\n']);
    ready = true;
  });

  it('answers 500 without a stack trace or a server path when reading fails, and logs the cause', async () => {
    const answer = await httpGet(url, '/boom');
    assert.deepEqual([answer.status, answer.body], [500, 'Internal server error\n']);
    assert.match(logged.join('\n'), /ERROR Request failed method=GET path=\/boom error="EIO /);
  });
});

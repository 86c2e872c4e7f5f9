import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeServer, createLogger, listen } from '@fortune-sidecar/common';
import { type HttpAnswer, httpGet, tempDir } from '@fortune-sidecar/testing';
import { createApp } from '../src/app.ts';
import { withFastPath } from '../src/fast-path.ts';
import { createLiveUpdates } from '../src/live-updates.ts';
import { createSite } from '../src/site.ts';

const root = await tempDir();
await writeFile(join(root, 'index.txt'), 'A fortune.\n');
await writeFile(join(root, 'index.html'), '<p>A fortune.</p>\n');
const site = createSite(root, { maxAgeMs: 60_000 });
let appRequests = 0;
const app = createApp({
  site,
  live: createLiveUpdates(),
  log: createLogger({ format: 'text', write: () => {} }),
  health: { alive: () => ({ ok: true, detail: 'alive' }), ready: () => ({ ok: true, detail: 'ready' }) },
});
const server = createServer(
  withFastPath(site, (request, response) => {
    appRequests += 1;
    app(request, response);
  }),
);
const url = await listen(server, 0, '127.0.0.1');
after(() => closeServer(server));

/** The answer without the Date header, which changes every second. */
const comparable = ({ status, headers, body }: HttpAnswer) => {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return { status, headers: rest, body };
};

/** Asks twice: the first request fills the cache through the app, the second is served from it. */
async function twice(path: string, options: Parameters<typeof httpGet>[2] = {}) {
  site.invalidate();
  const before = appRequests;
  const slow = await httpGet(url, path, options);
  const fast = await httpGet(url, path, options);
  return { slow, fast, viaApp: appRequests - before };
}

describe('the fast path', () => {
  it('answers a cached file without the app, exactly as the app does', async () => {
    for (const accept of ['*/*', 'text/html,*/*;q=0.8']) {
      for (const path of ['/', '/index.txt', '/index.html?v=2']) {
        const { slow, fast, viaApp } = await twice(path, { headers: { accept } });
        assert.equal(viaApp, 1, `${path}: only the first request reached the app`);
        assert.deepEqual(comparable(fast), comparable(slow), `${path} with Accept ${accept}`);
      }
    }
  });

  it('answers HEAD and conditional requests from the cache the same way', async () => {
    const { slow, fast } = await twice('/', { method: 'HEAD' });
    assert.deepEqual(comparable(fast), comparable(slow));
    const etag = String(slow.headers.etag);
    const again = await twice('/', { headers: { 'if-none-match': etag } });
    assert.equal(again.fast.status, 304);
    assert.deepEqual(comparable(again.fast), comparable(again.slow));
  });

  it('answers Range requests from the cache the same way', async () => {
    for (const range of ['bytes=2-5', 'bytes=-3', 'bytes=99-', 'bytes=0-1,3-4']) {
      const { slow, fast, viaApp } = await twice('/index.txt', { headers: { range } });
      assert.equal(viaApp, 1, `${range}: only the first request reached the app`);
      assert.deepEqual(comparable(fast), comparable(slow), range);
    }
    const { fast } = await twice('/index.txt', { headers: { range: 'bytes=2-5' } });
    assert.deepEqual([fast.status, fast.headers['content-range'], fast.body], [206, 'bytes 2-5/11', 'fort']);
  });

  it('leaves everything but a cached GET or HEAD to the app', async () => {
    await httpGet(url, '/');
    const before = appRequests;
    assert.equal((await httpGet(url, '/', { method: 'POST' })).status, 405);
    assert.equal((await httpGet(url, '/healthz')).status, 200);
    assert.equal((await httpGet(url, '/missing')).status, 404);
    assert.equal((await httpGet(url, '/missing')).status, 404, 'a 404 is never cached');
    assert.equal(appRequests - before, 4);
  });
});

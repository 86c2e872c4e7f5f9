import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { closeServer, createLogger, LIVE_UPDATE_PATHS, listen } from '@fortune-sidecar/common';
import { eventually, tempDir } from '@fortune-sidecar/testing';
import type { Coding } from '../src/accept-encoding.ts';
import { createApp } from '../src/app.ts';
import { compressWithZlib } from '../src/compression.ts';
import { withFastPath } from '../src/fast-path.ts';
import { createLiveUpdates, LIVE_UPDATE_SCRIPT } from '../src/live-updates.ts';
import { createSite } from '../src/site.ts';

const BOTH = 'gzip, deflate, br, zstd';
const FORTUNE = 'Your heart is pure, and your mind clear, and your soul devout.\n';
const page = (title: string) =>
  `<!doctype html><title>${title}</title>\n${'<p>A paragraph of a synced page, as sites have.</p>\n'.repeat(400)}`;

const root = await tempDir();
await writeFile(join(root, 'index.txt'), FORTUNE);
await writeFile(join(root, 'index.html'), page('home'));
await writeFile(join(root, 'style.css'), 'p { margin: 0 auto; color: #333; }\n'.repeat(100));
await writeFile(join(root, 'logo.png'), Buffer.alloc(4096, 7));
await writeFile(join(root, 'tiny.html'), '<p>tiny</p>\n');

const compressed: string[] = [];
const site = createSite(root, {
  compress: (coding: Coding, body: Buffer) => {
    compressed.push(`${coding} ${body.length}`);
    return compressWithZlib(coding, body);
  },
});
const app = createApp({
  site,
  live: createLiveUpdates(),
  log: createLogger({ format: 'text', write: () => {} }),
  health: { alive: () => ({ ok: true, detail: 'alive' }), ready: () => ({ ok: true, detail: 'ready' }) },
});
const server = createServer(withFastPath(site, app));
const url = new URL(await listen(server, 0, '127.0.0.1'));
after(() => closeServer(server));

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A GET or HEAD whose body is kept as the bytes sent, compressed or not. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** The first answer in `encoding`: the file is answered as it is until its compressed forms are made. */
const compressedAnswer = (path: string, encoding: string, accept = encoding, headers = {}) =>
  eventually(
    async () => {
      const answer = await get(path, { 'accept-encoding': accept, ...headers });
      return answer.headers['content-encoding'] === encoding ? answer : undefined;
    },
    { what: `${path} in ${encoding}`, timeoutMs: 5000 },
  );

describe('compressed answers', () => {
  it('sends br to a browser and gzip to a client that only takes gzip, each decompressing to the file', async () => {
    const file = page('home');
    const br = await compressedAnswer('/index.html', 'br', BOTH);
    assert.equal(brotliDecompressSync(br.body).toString(), file);
    assert.equal(br.headers['content-length'], String(br.body.length));
    assert.ok(br.body.length < file.length / 4, `${br.body.length} bytes of ${file.length}`);
    assert.equal(br.headers.vary, 'Accept-Encoding');
    const gzip = await compressedAnswer('/index.html', 'gzip');
    assert.equal(gunzipSync(gzip.body).toString(), file);
    assert.equal(gzip.headers['content-length'], String(gzip.body.length));
  });

  it('gives each encoding its own ETag, and a 304 only to a client asking for the same encoding', async () => {
    const br = await compressedAnswer('/style.css', 'br');
    const gzip = await compressedAnswer('/style.css', 'gzip');
    const identity = await get('/style.css');
    const tags = [br, gzip, identity].map((answer) => answer.headers.etag);
    assert.equal(new Set(tags).size, 3, `${tags}`);
    assert.match(br.headers.etag as string, /^"[\w-]+-br"$/);
    const brTag = br.headers.etag as string;
    const again = await get('/style.css', { 'accept-encoding': 'br', 'if-none-match': brTag });
    assert.deepEqual([again.status, again.body.length, again.headers.etag], [304, 0, brTag]);
    assert.equal(again.headers.vary, 'Accept-Encoding');
    const otherEncoding = await get('/style.css', { 'accept-encoding': 'gzip', 'if-none-match': brTag });
    assert.equal(otherEncoding.status, 200);
    assert.equal(otherEncoding.headers['content-encoding'], 'gzip');
    const asItIs = await get('/style.css', { 'if-none-match': brTag });
    assert.equal(asItIs.status, 200);
    assert.equal(asItIs.headers['content-encoding'], undefined);
  });

  it('says Vary: Accept-Encoding on the file as it is too, and not on images or tiny files', async () => {
    await compressedAnswer('/index.html', 'br');
    const identity = await get('/index.html');
    assert.deepEqual(
      [identity.headers['content-encoding'], identity.headers.vary, identity.body.toString()],
      [undefined, 'Accept-Encoding', page('home')],
    );
    const refused = await get('/index.html', { 'accept-encoding': 'identity;q=0, zstd' });
    assert.deepEqual([refused.status, refused.headers['content-encoding']], [200, undefined]);
    const image = await get('/logo.png', { 'accept-encoding': BOTH });
    assert.deepEqual([image.headers['content-encoding'], image.headers.vary], [undefined, undefined]);
    const tiny = await get('/tiny.html', { 'accept-encoding': BOTH });
    assert.deepEqual([tiny.headers['content-encoding'], tiny.headers.vary], [undefined, undefined]);
  });

  it('names Accept and Accept-Encoding in one Vary header for an index chosen by Accept', async () => {
    const answer = await compressedAnswer('/', 'br', BOTH, { accept: 'text/html,*/*;q=0.8' });
    assert.equal(answer.headers.vary, 'Accept, Accept-Encoding');
    assert.equal(brotliDecompressSync(answer.body).toString(), page('home'));
  });

  it('never compresses the fortune text, whatever the client accepts', async () => {
    const before = compressed.length;
    for (let i = 0; i < 5; i += 1) {
      const answer = await get('/index.txt', { 'accept-encoding': BOTH });
      assert.deepEqual(
        [answer.body.toString(), answer.headers['content-encoding'], answer.headers.vary],
        [FORTUNE, undefined, undefined],
      );
    }
    const curl = await get('/', { accept: '*/*', 'accept-encoding': BOTH });
    assert.deepEqual([curl.body.toString(), curl.headers.vary], [FORTUNE, 'Accept']);
    assert.equal(compressed.length, before);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const getAnswer = await compressedAnswer('/index.html', 'br');
    const head = await get('/index.html', { 'accept-encoding': 'br' }, 'HEAD');
    assert.equal(head.body.length, 0);
    for (const name of ['content-encoding', 'content-length', 'etag', 'vary', 'content-type']) {
      assert.equal(head.headers[name], getAnswer.headers[name], name);
    }
  });

  it('sends a range of the file as it is, never of a compressed body', async () => {
    await compressedAnswer('/index.html', 'br');
    const range = await get('/index.html', { 'accept-encoding': 'br', range: 'bytes=0-14' });
    assert.deepEqual(
      [range.status, range.headers['content-encoding'], range.body.toString()],
      [206, undefined, page('home').slice(0, 15)],
    );
  });

  it('compresses a file once per version: again only once it changed', async () => {
    const path = join(root, 'once.js');
    const first = `${'console.log("the first version of a script");\n'.repeat(60)}`;
    await writeFile(path, first);
    const before = compressed.length;
    await compressedAnswer('/once.js', 'br');
    for (let i = 0; i < 20; i += 1) await get('/once.js', { 'accept-encoding': i % 2 ? 'br' : 'gzip' });
    // Past maxAge the file is checked again on disk and found the same: nothing more to compress.
    for (let check = 0; check < 3; check += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await get('/once.js', { 'accept-encoding': 'br' });
    }
    await compressedAnswer('/once.js', 'br');
    assert.deepEqual(compressed.slice(before).sort(), [`br ${first.length}`, `gzip ${first.length}`]);
    const second = first.replace('first', 'second');
    await writeFile(path, second);
    site.invalidate();
    const changed = await eventually(
      async () => {
        const answer = await compressedAnswer('/once.js', 'br');
        return brotliDecompressSync(answer.body).toString() === second ? answer : undefined;
      },
      { timeoutMs: 10_000 },
    );
    assert.ok(changed);
    assert.equal(compressed.length - before, 4, compressed.slice(before).join('; '));
  });

  it('serves a precompressed copy shipped beside the file byte for byte, and that copy under its own name', async () => {
    const file = page('shipped');
    await writeFile(join(root, 'shipped.html'), file);
    // Not what zlib would make here: quality 11, as a build step would.
    const br = brotliCompressSync(Buffer.from(file));
    const gz = gzipSync(Buffer.from(file), { level: 9 });
    await writeFile(join(root, 'shipped.html.br'), br);
    await writeFile(join(root, 'shipped.html.gz'), gz);
    site.invalidate();
    const before = compressed.length;
    const brAnswer = await compressedAnswer('/shipped.html', 'br');
    assert.ok(brAnswer.body.equals(br));
    const gzAnswer = await compressedAnswer('/shipped.html', 'gzip');
    assert.ok(gzAnswer.body.equals(gz));
    assert.equal(compressed.length, before, 'nothing compressed');
    assert.notEqual(brAnswer.headers.etag, gzAnswer.headers.etag);
    const itself = await get('/shipped.html.br', { 'accept-encoding': BOTH });
    assert.ok(itself.body.equals(br));
    assert.equal(itself.headers['content-encoding'], undefined);
  });

  it('compresses the live-update script too, made once at start', async () => {
    const script = await compressedAnswer(LIVE_UPDATE_PATHS.script, 'br');
    assert.ok(
      brotliDecompressSync(script.body).equals(
        LIVE_UPDATE_SCRIPT.kind === 'file' ? LIVE_UPDATE_SCRIPT.body : Buffer.alloc(0),
      ),
    );
  });

  it('ignores a precompressed copy older than the file: it was left from another version', async () => {
    const file = page('stale copy');
    await writeFile(join(root, 'stale.html'), file);
    await writeFile(join(root, 'stale.html.br'), brotliCompressSync(Buffer.from(page('the old page'))));
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(root, 'stale.html.br'), hourAgo, hourAgo);
    site.invalidate();
    const answer = await compressedAnswer('/stale.html', 'br');
    assert.equal(brotliDecompressSync(answer.body).toString(), file);
  });
});

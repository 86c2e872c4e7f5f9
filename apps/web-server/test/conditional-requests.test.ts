// Conditional requests as RFC 9110 §13 has them, sent byte for byte to the server process:
// If-Match and If-Unmodified-Since first (412 when false), then If-None-Match and
// If-Modified-Since (304 when false), validators compared as §8.8.3 says and dates only in the
// three forms of HTTP-date. A 304 carries only the headers §15.4.5 allows.
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { headerNames, rawGet } from './helpers/raw-get.ts';
import { startServerProcess } from './helpers/server-process.ts';

const FORTUNE = 'A fortune.\n';
const root = await tempDir('fortune-conditional-');
await writeFile(join(root, 'index.txt'), FORTUNE);
await writeFile(join(root, 'index.html'), '<!doctype html><title>Fortune</title><p>A fortune.</p>\n');
// Past the 1 MB the server keeps in memory: streamed from disk, with a weak ETag.
await writeFile(join(root, 'large.txt'), 'fortune\n'.repeat(200_000));
const MODIFIED = new Date('2026-01-15T10:00:00Z');
for (const name of ['index.txt', 'index.html', 'large.txt'])
  await utimes(join(root, name), MODIFIED, MODIFIED);
const LAST_MODIFIED = 'Thu, 15 Jan 2026 10:00:00 GMT';
const EARLIER = 'Thu, 15 Jan 2026 09:59:59 GMT';
const LATER = 'Thu, 15 Jan 2026 10:00:01 GMT';

const { url } = await startServerProcess(root);
const port = Number(url.port);
const ask = (target: string, headers: readonly string[] = [], method: 'GET' | 'HEAD' = 'GET') =>
  rawGet(port, target, headers, method);

const first = await ask('/index.txt');
const ETAG = first.headers.etag as string;
const LARGE_ETAG = (await ask('/large.txt', [], 'HEAD')).headers.etag as string;

/** A 304 as §15.4.5 allows: the validator and what a cache must know, no body, no description. */
function assertNotModified(answer: Awaited<ReturnType<typeof ask>>, etag: string, vary = false) {
  assert.equal(answer.status, 304);
  assert.equal(answer.body, '');
  assert.deepEqual(headerNames(answer), vary ? ['cache-control', 'etag', 'vary'] : ['cache-control', 'etag']);
  assert.equal(answer.headers.etag, etag);
}

function assertPreconditionFailed(answer: Awaited<ReturnType<typeof ask>>) {
  assert.equal(answer.status, 412);
  assert.equal(answer.body, 'Precondition failed\n');
}

function assertWhole(answer: Awaited<ReturnType<typeof ask>>) {
  assert.equal(answer.status, 200);
  assert.equal(answer.body, FORTUNE);
}

describe('conditional requests (RFC 9110 §13)', () => {
  it('the files have the validators the tests compare with', () => {
    assert.equal(first.headers['last-modified'], LAST_MODIFIED);
    assert.match(ETAG, /^"[\w-]+"$/);
    assert.match(LARGE_ETAG, /^W\/"/);
  });

  describe('If-Match: a strong comparison, 412 when no tag matches', () => {
    it('another tag → 412', async () => {
      assertPreconditionFailed(await ask('/index.txt', ['If-Match: "foo"']));
    });
    it('another tag, asked with HEAD → 412 without a body', async () => {
      const answer = await ask('/index.txt', ['If-Match: "foo"'], 'HEAD');
      assert.deepEqual([answer.status, answer.body], [412, '']);
    });
    it("the file's tag, alone or in a list → 200", async () => {
      assertWhole(await ask('/index.txt', [`If-Match: ${ETAG}`]));
      assertWhole(await ask('/index.txt', [`If-Match: "foo", ${ETAG}`]));
    });
    it('* on a file that exists → 200', async () => {
      assertWhole(await ask('/index.txt', ['If-Match: *']));
    });
    it("the file's tag marked weak never matches → 412", async () => {
      assertPreconditionFailed(await ask('/index.txt', [`If-Match: W/${ETAG}`]));
    });
    it("a streamed file's own weak tag never matches → 412", async () => {
      const answer = await ask('/large.txt', [`If-Match: ${LARGE_ETAG}`]);
      assert.equal(answer.status, 412);
    });
    it('If-Match decides alone: a failing If-Unmodified-Since beside a matching one is not read', async () => {
      assertWhole(await ask('/index.txt', [`If-Match: ${ETAG}`, `If-Unmodified-Since: ${EARLIER}`]));
    });
  });

  describe('If-Unmodified-Since: 412 when the file changed after the date', () => {
    it('a date before the last change → 412, in each of the three forms of HTTP-date', async () => {
      for (const date of [EARLIER, 'Thursday, 15-Jan-26 09:59:59 GMT', 'Thu Jan 15 09:59:59 2026']) {
        assertPreconditionFailed(await ask('/index.txt', [`If-Unmodified-Since: ${date}`]));
      }
    });
    it('the date of the last change, or a later one → 200', async () => {
      assertWhole(await ask('/index.txt', [`If-Unmodified-Since: ${LAST_MODIFIED}`]));
      assertWhole(await ask('/index.txt', [`If-Unmodified-Since: ${LATER}`]));
    });
    it('anything but an HTTP-date is ignored → 200', async () => {
      for (const date of ['2000-01-01', 'yesterday', 'Sun, 30 Feb 2025 00:00:00 GMT']) {
        assertWhole(await ask('/index.txt', [`If-Unmodified-Since: ${date}`]));
      }
    });
  });

  describe('the order of §13.2.2: If-Match and If-Unmodified-Since before If-None-Match and If-Modified-Since', () => {
    it('a failing If-Match beside a matching If-None-Match → 412, not 304', async () => {
      assertPreconditionFailed(await ask('/index.txt', ['If-Match: "foo"', `If-None-Match: ${ETAG}`]));
    });
    it('a failing If-Unmodified-Since beside a matching If-Modified-Since → 412, not 304', async () => {
      assertPreconditionFailed(
        await ask('/index.txt', [`If-Unmodified-Since: ${EARLIER}`, `If-Modified-Since: ${LAST_MODIFIED}`]),
      );
    });
    it('If-Match and If-None-Match both matching → 304', async () => {
      assertNotModified(await ask('/index.txt', [`If-Match: ${ETAG}`, `If-None-Match: ${ETAG}`]), ETAG);
    });
    it('If-None-Match decides over If-Modified-Since: another tag and a date after the change → 200', async () => {
      assertWhole(await ask('/index.txt', ['If-None-Match: "foo"', `If-Modified-Since: ${LATER}`]));
    });
  });

  describe('If-None-Match: a weak comparison, 304 when a tag matches', () => {
    it("the file's tag, weak or not, or * → 304", async () => {
      for (const tag of [ETAG, `W/${ETAG}`, `"foo", ${ETAG}`, '*']) {
        assertNotModified(await ask('/index.txt', [`If-None-Match: ${tag}`]), ETAG);
      }
    });
    it("a streamed file's weak tag → 304", async () => {
      assertNotModified(await ask('/large.txt', [`If-None-Match: ${LARGE_ETAG}`]), LARGE_ETAG);
    });
  });

  describe('If-Modified-Since: only an HTTP-date, 304 when the file has not changed since', () => {
    it('the date of the last change or later, in each of the three forms → 304', async () => {
      for (const date of [
        LAST_MODIFIED,
        LATER,
        'Thursday, 15-Jan-26 10:00:00 GMT',
        'Thu Jan 15 10:00:00 2026',
      ]) {
        assertNotModified(await ask('/index.txt', [`If-Modified-Since: ${date}`]), ETAG);
      }
    });
    it('a date before the last change → 200', async () => {
      assertWhole(await ask('/index.txt', [`If-Modified-Since: ${EARLIER}`]));
    });
    it('ISO dates, however far ahead, are not HTTP-dates: ignored → 200', async () => {
      for (const date of ['2999-01-01', '2999-01-01T00:00:00Z', '2999-01-01 00:00:00']) {
        assertWhole(await ask('/index.txt', [`If-Modified-Since: ${date}`]));
      }
    });
    it('a day that does not exist, a zone other than GMT, a lower-case form: ignored → 200', async () => {
      for (const date of [
        'Fri, 30 Feb 2999 00:00:00 GMT',
        'Fri, 01 Jan 2999 00:00:00 +0100',
        'fri, 01 jan 2999 00:00:00 gmt',
      ]) {
        assertWhole(await ask('/index.txt', [`If-Modified-Since: ${date}`]));
      }
    });
  });

  describe('a 304 carries only ETag, Cache-Control and Vary (§15.4.5), and the security headers', () => {
    it('no Content-Type, Last-Modified, Content-Length or Accept-Ranges', async () => {
      const answer = await ask('/index.txt', [`If-None-Match: ${ETAG}`]);
      assertNotModified(answer, ETAG);
      for (const name of ['content-type', 'last-modified', 'content-length', 'accept-ranges']) {
        assert.equal(answer.headers[name], undefined, name);
      }
    });
    it('Vary stays on a page chosen by Accept', async () => {
      const page = await ask('/', ['Accept: text/html']);
      assertNotModified(
        await ask('/', ['Accept: text/html', `If-None-Match: ${page.headers.etag}`]),
        page.headers.etag as string,
        true,
      );
    });
    it('HEAD gets the same 304 as GET', async () => {
      assertNotModified(await ask('/index.txt', [`If-None-Match: ${ETAG}`], 'HEAD'), ETAG);
    });
  });
});

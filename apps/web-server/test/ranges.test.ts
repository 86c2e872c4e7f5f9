// Range requests as RFC 9110 §14 has them, sent byte for byte to the server process: one byte
// range gets a 206 with exactly those bytes, a range past the end a 416, anything the server
// does not serve in parts (another unit, a malformed value, several ranges) the whole file.
// If-Range sends the part only while the client's copy is still the file; the preconditions of
// §13.2.2 come first.
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { headerNames, rawGet } from './helpers/raw-get.ts';
import { startServerProcess } from './helpers/server-process.ts';

const FORTUNE = 'A fortune.\n';
const SIZE = FORTUNE.length;
// Past the 1 MB the server keeps in memory, so streamed from disk; each line different, so a
// slice from the wrong place cannot pass for the right one.
const LARGE = Array.from({ length: 200_000 }, (_, i) => `${i.toString(36).padStart(7, '0')}\n`).join('');
const root = await tempDir('fortune-ranges-');
await writeFile(join(root, 'index.txt'), FORTUNE);
await writeFile(join(root, 'empty.txt'), '');
await writeFile(join(root, 'large.txt'), LARGE);
const MODIFIED = new Date('2026-01-15T10:00:00Z');
for (const name of ['index.txt', 'large.txt']) await utimes(join(root, name), MODIFIED, MODIFIED);
const LAST_MODIFIED = 'Thu, 15 Jan 2026 10:00:00 GMT';

const { url } = await startServerProcess(root);
const port = Number(url.port);
const ask = (target: string, headers: readonly string[] = [], method: 'GET' | 'HEAD' = 'GET') =>
  rawGet(port, target, headers, method);
const ETAG = (await ask('/index.txt')).headers.etag as string;
const LARGE_ETAG = (await ask('/large.txt', [], 'HEAD')).headers.etag as string;

type Answer = Awaited<ReturnType<typeof ask>>;

/** A 206 for bytes start to end of `whole`: exactly those bytes, and the headers that say so. */
function assertPart(answer: Answer, whole: string, start: number, end: number) {
  assert.equal(answer.status, 206);
  assert.equal(answer.headers['content-range'], `bytes ${start}-${end}/${whole.length}`);
  assert.equal(answer.headers['content-length'], String(end - start + 1));
  assert.equal(answer.headers['accept-ranges'], 'bytes');
  assert.ok(answer.body === whole.slice(start, end + 1), `bytes ${start}-${end}`);
}

function assertWhole(answer: Answer, whole = FORTUNE) {
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['content-range'], undefined);
  assert.equal(answer.headers['content-length'], String(whole.length));
  assert.equal(answer.headers['accept-ranges'], 'bytes');
  assert.ok(answer.body === whole, 'the whole file');
}

function assertUnsatisfiable(answer: Answer, size = SIZE) {
  assert.equal(answer.status, 416);
  assert.equal(answer.headers['content-range'], `bytes */${size}`);
  assert.equal(answer.body, 'Range not satisfiable\n');
}

describe('ranges (RFC 9110 §14)', () => {
  it('every file says it serves byte ranges: Accept-Ranges: bytes', async () => {
    assertWhole(await ask('/index.txt'));
    assert.equal((await ask('/large.txt', [], 'HEAD')).headers['accept-ranges'], 'bytes');
  });

  describe('one byte range → 206 with exactly those bytes', () => {
    const table: [string, number, number][] = [
      ['bytes=0-4', 0, 4],
      ['bytes=0-0', 0, 0],
      ['bytes=4-', 4, SIZE - 1],
      ['bytes=10-10', 10, 10],
      ['bytes=-3', SIZE - 3, SIZE - 1],
      // Past the end, a range stops at the last byte, and a suffix takes the whole file.
      ['bytes=5-999', 5, SIZE - 1],
      ['bytes=-500', 0, SIZE - 1],
      ['Bytes=1-2', 1, 2],
    ];
    for (const [range, start, end] of table) {
      it(`Range: ${range} → 206, bytes ${start}-${end}`, async () => {
        assertPart(await ask('/index.txt', [`Range: ${range}`]), FORTUNE, start, end);
      });
    }
    it('a 206 carries the headers of the 200 it is part of', async () => {
      const answer = await ask('/index.txt', ['Range: bytes=0-4']);
      assert.deepEqual(headerNames(answer), [
        'accept-ranges',
        'cache-control',
        'content-length',
        'content-range',
        'content-type',
        'etag',
        'last-modified',
      ]);
      assert.deepEqual(
        [answer.headers.etag, answer.headers['last-modified'], answer.headers['content-type']],
        [ETAG, LAST_MODIFIED, 'text/plain; charset=utf-8'],
      );
    });
    it("HEAD ignores Range (RFC 9110 §14.2: ranges are for GET) and gets the whole file's headers", async () => {
      const answer = await ask('/index.txt', ['Range: bytes=0-4'], 'HEAD');
      assert.deepEqual(
        [answer.status, answer.headers['content-range'], answer.headers['content-length'], answer.body],
        [200, undefined, String(SIZE), ''],
      );
    });
    it('a file answered from memory, asked again once cached, gives the same part', async () => {
      // The first request fills the cache; the ones after it are answered from it.
      for (let i = 0; i < 3; i += 1) assertPart(await ask('/index.txt', ['Range: bytes=2-8']), FORTUNE, 2, 8);
    });
  });

  describe('a file streamed from disk: the range read from the file, nothing else', () => {
    const table: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=1000000-1200000', 1_000_000, 1_200_000],
      ['bytes=1048570-1048590', 1_048_570, 1_048_590],
      ['bytes=1500000-', 1_500_000, LARGE.length - 1],
      ['bytes=-100', LARGE.length - 100, LARGE.length - 1],
    ];
    for (const [range, start, end] of table) {
      it(`Range: ${range} → 206, bytes ${start}-${end}`, async () => {
        assertPart(await ask('/large.txt', [`Range: ${range}`]), LARGE, start, end);
      });
    }
    it('a start past the end → 416', async () => {
      assertUnsatisfiable(await ask('/large.txt', [`Range: bytes=${LARGE.length}-`]), LARGE.length);
    });
    it("HEAD ignores Range and gets the whole file's headers", async () => {
      const answer = await ask('/large.txt', ['Range: bytes=10-19'], 'HEAD');
      assert.deepEqual(
        [answer.status, answer.headers['content-range'], answer.headers['content-length'], answer.body],
        [200, undefined, String(LARGE.length), ''],
      );
    });
    it('If-Range with its weak ETag never matches → 200, the whole file', async () => {
      assertWhole(await ask('/large.txt', ['Range: bytes=0-9', `If-Range: ${LARGE_ETAG}`]), LARGE);
    });
    it('If-Range with its date → 206', async () => {
      assertPart(await ask('/large.txt', ['Range: bytes=0-9', `If-Range: ${LAST_MODIFIED}`]), LARGE, 0, 9);
    });
  });

  describe('a range that no byte of the file is in → 416 with Content-Range: bytes */size', () => {
    for (const range of ['bytes=11-', `bytes=${SIZE}-${SIZE + 10}`, 'bytes=99999-', 'bytes=-0']) {
      it(`Range: ${range} → 416`, async () => {
        assertUnsatisfiable(await ask('/index.txt', [`Range: ${range}`]));
      });
    }
    it('any range of an empty file → 416', async () => {
      assertUnsatisfiable(await ask('/empty.txt', ['Range: bytes=0-']), 0);
    });
  });

  describe('what is not one byte range is ignored → 200, the whole file', () => {
    for (const range of [
      'items=0-1',
      'bytes=abc',
      'bytes=-',
      'bytes=5-1',
      'bytes 0-1',
      'bytes=0x1-2',
      // Several ranges, even overlapping: RFC 9110 allows the whole file instead of multipart.
      'bytes=0-1,3-4',
      'bytes=0-5,2-8',
      'bytes=0-0,0-0,0-0',
      `bytes=${Array.from({ length: 1000 }, (_, i) => `${i}-${i}`).join(',')}`,
    ]) {
      it(`Range: ${range.slice(0, 40)} → 200`, async () => {
        assertWhole(await ask('/index.txt', [`Range: ${range}`]));
      });
    }
  });

  describe('If-Range: the part only while the client has this very file, else the whole file', () => {
    it('the ETag → 206', async () => {
      assertPart(await ask('/index.txt', ['Range: bytes=0-4', `If-Range: ${ETAG}`]), FORTUNE, 0, 4);
    });
    it('another ETag → 200, the whole file', async () => {
      assertWhole(await ask('/index.txt', ['Range: bytes=0-4', 'If-Range: "foo"']));
    });
    it('the ETag marked weak → 200, the whole file', async () => {
      assertWhole(await ask('/index.txt', ['Range: bytes=0-4', `If-Range: W/${ETAG}`]));
    });
    it('Last-Modified exactly → 206', async () => {
      assertPart(await ask('/index.txt', ['Range: bytes=0-4', `If-Range: ${LAST_MODIFIED}`]), FORTUNE, 0, 4);
    });
    it('a date before or after Last-Modified, or not an HTTP-date → 200, the whole file', async () => {
      for (const date of [
        'Thu, 15 Jan 2026 09:59:59 GMT',
        'Thu, 15 Jan 2026 10:00:01 GMT',
        '2026-01-15T10:00:00Z',
        'garbage',
      ]) {
        assertWhole(await ask('/index.txt', ['Range: bytes=0-4', `If-Range: ${date}`]));
      }
    });
    it('If-Range without Range changes nothing → 200', async () => {
      assertWhole(await ask('/index.txt', ['If-Range: "foo"']));
    });
  });

  describe('preconditions come before ranges (RFC 9110 §13.2.2)', () => {
    it('a matching If-None-Match → 304, not 206', async () => {
      const answer = await ask('/index.txt', ['Range: bytes=0-4', `If-None-Match: ${ETAG}`]);
      assert.equal(answer.status, 304);
      assert.equal(answer.headers['content-range'], undefined);
    });
    it('a matching If-None-Match with a range past the end → 304, not 416', async () => {
      assert.equal((await ask('/index.txt', ['Range: bytes=999-', `If-None-Match: ${ETAG}`])).status, 304);
    });
    it('a failing If-Match → 412, not 206', async () => {
      assert.equal((await ask('/index.txt', ['Range: bytes=0-4', 'If-Match: "foo"'])).status, 412);
    });
    it('a matching If-Match → 206', async () => {
      assertPart(await ask('/index.txt', ['Range: bytes=0-4', `If-Match: ${ETAG}`]), FORTUNE, 0, 4);
    });
  });
});

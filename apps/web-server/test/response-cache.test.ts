import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withEncodings } from '../src/compression.ts';
import type { Resource } from '../src/lookup.ts';
import { createResponseCache, ENTRY_OVERHEAD_BYTES } from '../src/response-cache.ts';

const file = (bytes: number): Resource => ({
  kind: 'file',
  body: Buffer.alloc(bytes),
  contentType: 'text/plain; charset=utf-8',
  etag: '"x"',
  lastModified: 'Thu, 01 Jan 1970 00:00:00 GMT',
  negotiated: false,
});

describe('the response cache', () => {
  it('holds at most maxEntries answers, however small, and lets the oldest go first', () => {
    const cache = createResponseCache({ maxBytes: 1024 * 1024 * 1024, maxEntries: 3 });
    for (const key of ['/a', '/b', '/c', '/d']) cache.set(key, file(1), 0);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('/a'), undefined, 'the oldest went');
    assert.ok(cache.get('/b') && cache.get('/d'));
  });

  it('counts a fixed overhead for every entry besides its body', () => {
    const cache = createResponseCache({ maxBytes: 1024 * 1024, maxEntries: 1_000_000 });
    for (let i = 0; i < 10_000; i += 1) cache.set(`/page-${i}`, file(1), 0);
    assert.ok(cache.bytes <= 1024 * 1024, `${cache.bytes} bytes counted`);
    assert.ok(cache.size <= (1024 * 1024) / ENTRY_OVERHEAD_BYTES, `${cache.size} entries kept`);
    assert.ok(cache.get('/page-9999'), 'the newest answer is kept');
  });

  it('makes room by bytes too, and never keeps an answer larger than the whole budget', () => {
    const budget = 2 * ENTRY_OVERHEAD_BYTES + 4100;
    const cache = createResponseCache({ maxBytes: budget, maxEntries: 100 });
    cache.set('/small', file(10), 0);
    cache.set('/big', file(2000), 0);
    cache.set('/bigger', file(2000), 0);
    assert.equal(cache.get('/small'), undefined);
    assert.ok(cache.get('/big') && cache.get('/bigger'));
    cache.set('/huge', file(budget), 0);
    assert.equal(cache.get('/huge'), undefined);
    assert.ok(cache.bytes <= budget);
  });

  it('replaces an answer stored again under its key, counting it once', () => {
    const cache = createResponseCache({ maxBytes: 1024 * 1024, maxEntries: 10 });
    cache.set('/a', file(100), 0);
    const once = cache.bytes;
    cache.set('/a', file(100), 5);
    assert.equal(cache.size, 1);
    assert.equal(cache.bytes, once);
    assert.equal(cache.get('/a')?.at, 5);
  });

  it('counts the compressed forms kept with an answer against the budget', () => {
    const cache = createResponseCache({ maxBytes: 1024 * 1024, maxEntries: 10 });
    const plain = file(10_000) as Extract<Resource, { kind: 'file' }>;
    cache.set('/plain', plain, 0);
    const alone = cache.bytes;
    const br = { ...plain, body: Buffer.alloc(3000), etag: '"x-br"', contentEncoding: 'br' as const };
    cache.set('/plain', withEncodings(plain, { br }), 0);
    assert.ok(cache.bytes >= alone + 3000, `${cache.bytes} bytes counted, ${alone} without the br body`);
  });

  it('forgets everything on clear, and one answer on delete', () => {
    const cache = createResponseCache({ maxBytes: 1024 * 1024, maxEntries: 10 });
    cache.set('/a', file(1), 0);
    cache.set('/b', file(1), 0);
    cache.delete('/a');
    assert.equal(cache.size, 1);
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);
  });
});

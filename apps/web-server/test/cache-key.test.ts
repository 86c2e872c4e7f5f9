import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey } from '../src/cache-key.ts';

describe('the cache key of a request path', () => {
  it('is the same for every spelling of one file: percent-escapes, doubled slashes, any case', () => {
    const spellings = [
      '/index.txt',
      '//index.txt',
      '/%69ndex.txt',
      '/%69%6E%64%65%78%2e%74%78%74',
      '///%69ndex.txt',
    ];
    for (const spelling of spellings) assert.equal(cacheKey(spelling, false), '/index.txt', spelling);
  });

  it('keeps the folder and file apart, and a folder’s trailing slash', () => {
    assert.equal(cacheKey('/docs', false), '/docs');
    assert.equal(cacheKey('/docs/', false), '/docs/');
    assert.equal(cacheKey('//docs//', false), '/docs/');
    assert.equal(cacheKey('//', false), '/');
    assert.equal(cacheKey('/a//b/%63', false), '/a/b/c');
  });

  it('tells browsers from curl only for folders, whose index depends on who asks', () => {
    assert.equal(cacheKey('/style.css', true), cacheKey('/style.css', false));
    assert.notEqual(cacheKey('/', true), cacheKey('/', false));
    assert.equal(cacheKey('//', true), cacheKey('/', true));
  });

  it('is the name as decoded, so that an escaped percent sign stays a name of its own', () => {
    assert.equal(cacheKey('/a%20b', false), '/a b');
    assert.equal(cacheKey('/100%25', false), '/100%');
    assert.notEqual(cacheKey('/100%25', false), cacheKey('/100', false));
  });

  it('has no key for paths refused before the disk', () => {
    for (const path of ['/%2e%2e/secret', '/%2egit/config', '/a%2fb', '/%zz', '/a%00b'])
      assert.equal(cacheKey(path, false), undefined, path);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestPath } from '../src/request-path.ts';

describe('request paths', () => {
  it('splits a path into decoded segments', () => {
    assert.deepEqual(parseRequestPath('/docs/a%20b.txt'), {
      kind: 'path',
      segments: ['docs', 'a b.txt'],
      directory: false,
    });
    assert.deepEqual(parseRequestPath('/'), { kind: 'path', segments: [], directory: true });
    assert.deepEqual(parseRequestPath('//docs//'), { kind: 'path', segments: ['docs'], directory: true });
  });

  it('leaves the names the server answers itself to it, in every spelling, at the root only', () => {
    for (const path of ['/%68ealthz', '//readyz', '/metrics/', '/%6detrics/index.txt']) {
      assert.deepEqual(parseRequestPath(path), { kind: 'not-found' }, path);
    }
    assert.deepEqual(parseRequestPath('/docs/metrics'), {
      kind: 'path',
      segments: ['docs', 'metrics'],
      directory: false,
    });
  });

  it('hides dotfiles and refuses parent references in every encoding', () => {
    for (const path of [
      '/.git/config',
      '/.env',
      '/a/../b',
      '/..',
      '/%2e%2e/etc/passwd',
      '/%2E%2E%2Fetc',
      '/.gitsync/repo.git/config',
      '/a%2f..%2f..%2fetc',
      '/a%5c..%5cb',
    ]) {
      assert.deepEqual(parseRequestPath(path), { kind: 'not-found' }, path);
    }
  });

  it("serves the root's .well-known, and no hidden name below it or elsewhere", () => {
    for (const path of ['/.well-known/security.txt', '/%2ewell-known/security.txt']) {
      assert.deepEqual(
        parseRequestPath(path),
        { kind: 'path', segments: ['.well-known', 'security.txt'], directory: false },
        path,
      );
    }
    for (const path of ['/.well-known/.x', '/.well-known/../.env', '/sub/.well-known/x', '/.Well-Known/x']) {
      assert.deepEqual(parseRequestPath(path), { kind: 'not-found' }, path);
    }
  });

  it('refuses NUL bytes and broken encodings as bad requests', () => {
    for (const path of ['/index.txt%00.html', '/%', '/%zz', '/%c0%ae%c0%ae/etc', 'index.txt']) {
      assert.deepEqual(parseRequestPath(path), { kind: 'bad-request' }, path);
    }
  });
});

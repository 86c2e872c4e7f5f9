import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayUrl, repoUrl, secretsOf } from '../src/repo-url.ts';

describe('GITSYNC_REPO', () => {
  it('accepts https, http, git and ssh URLs and the scp-like user@host:path', () => {
    assert.equal(repoUrl.parse('https://github.com/example/site.git').kind, 'http');
    assert.equal(repoUrl.parse('http://127.0.0.1:8080/site.git').kind, 'http');
    assert.equal(repoUrl.parse('git://127.0.0.1:9418/site.git').kind, 'git');
    assert.equal(repoUrl.parse('ssh://git@github.com:22/example/site.git').kind, 'ssh');
    assert.equal(repoUrl.parse('git@github.com:example/site.git').kind, 'ssh');
  });

  it('refuses ext:: and every other <transport>:: form, which hand the address to a program', () => {
    assert.throws(() => repoUrl.parse('ext::sh -c touch% /tmp/pwned'), /remote helpers/);
    assert.throws(() => repoUrl.parse('fd::3'), /remote helpers/);
    assert.throws(() => repoUrl.parse('persistent-https::example.com/repo'), /remote helpers/);
  });

  it('refuses schemes git-sync does not support and URLs without a host', () => {
    assert.throws(() => repoUrl.parse('ftp://example.com/repo.git'), /ftp/);
    assert.throws(() => repoUrl.parse('git:///repo.git'), /no host/);
    assert.throws(() => repoUrl.parse('repo.git'), /neither a URL/);
    assert.throws(() => repoUrl.parse('-uhttps://example.com/x'), /neither a URL/);
  });

  it('marks file:// URLs and absolute paths as local, for the configuration to refuse unless allowed', () => {
    assert.equal(repoUrl.parse('file:///srv/git/site.git').kind, 'local');
    assert.equal(repoUrl.parse('/srv/git/site.git').kind, 'local');
  });
});

describe('credentials', () => {
  const repo = repoUrl.parse('https://git.example.com/site.git');

  it('are secrets both as written and as they appear inside a URL', () => {
    assert.deepEqual(secretsOf(repo, { username: 'deploy', password: 'p@ss word' }), [
      'p@ss word',
      'p%40ss%20word',
    ]);
  });

  it('written into GITSYNC_REPO itself are secrets too, and logs show the URL without them', () => {
    const withToken = repoUrl.parse('https://deploy:t%2Fken@git.example.com/site.git');
    assert.deepEqual(secretsOf(withToken, undefined), ['t%2Fken', 't/ken']);
    assert.equal(displayUrl(withToken), 'https://deploy:***@git.example.com/site.git');
    assert.equal(displayUrl(repo), repo.text);
  });
});

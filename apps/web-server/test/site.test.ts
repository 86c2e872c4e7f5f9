import assert from 'node:assert/strict';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import type { Resource } from '../src/lookup.ts';
import { createSite } from '../src/site.ts';

const body = (resource: Resource) =>
  resource.kind === 'file' ? resource.body.toString('utf8') : resource.kind;

async function fortuneFolder() {
  const base = await tempDir();
  const root = join(base, 'html');
  await mkdir(root);
  await writeFile(join(root, 'index.txt'), 'plain fortune\n');
  await writeFile(join(root, 'index.html'), '<p>html fortune</p>\n');
  await writeFile(join(base, 'secret.txt'), 'outside the folder\n');
  return { base, root };
}

describe('the served folder', () => {
  it('answers a folder with index.txt for curl and index.html for browsers', async () => {
    const { root } = await fortuneFolder();
    const site = createSite(root);
    const text = await site.find('/', false);
    assert.equal(body(text), 'plain fortune\n');
    assert.equal(text.kind === 'file' && text.contentType, 'text/plain; charset=utf-8');
    assert.equal(text.kind === 'file' && text.negotiated, true);
    assert.equal(body(await site.find('/', true)), '<p>html fortune</p>\n');
  });

  it('falls back to index.html for curl when a site has no index.txt, as nginx would serve it', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.html'), '<p>site</p>');
    assert.equal(body(await createSite(root).find('/', false)), '<p>site</p>');
  });

  it('serves named files with their type and redirects a folder without its slash', async () => {
    const { root } = await fortuneFolder();
    await mkdir(join(root, 'docs'));
    await writeFile(join(root, 'docs', 'style.css'), 'p{}');
    await writeFile(join(root, 'docs', 'index.html'), 'docs');
    const site = createSite(root);
    const css = await site.find('/docs/style.css', true);
    assert.equal(css.kind === 'file' && css.contentType, 'text/css; charset=utf-8');
    assert.equal(css.kind === 'file' && css.negotiated, false);
    assert.deepEqual(await site.find('/docs', true), { kind: 'redirect', location: '/docs/' });
    assert.equal(body(await site.find('/docs/', true)), 'docs');
    assert.equal(body(await site.find('/docs/style.css/', true)), 'missing');
    assert.equal(body(await site.find('/nothing-here', true)), 'missing');
  });

  it('never serves dotfiles, even when they exist', async () => {
    const { root } = await fortuneFolder();
    await mkdir(join(root, '.git'));
    await writeFile(join(root, '.git', 'config'), '[remote]');
    await writeFile(join(root, '.env'), 'TOKEN=x');
    const site = createSite(root);
    for (const path of ['/.git/config', '/.env', '/.git/', '/%2egit/config'])
      assert.equal(body(await site.find(path, false)), 'missing', path);
  });

  it('never follows a symlink out of the folder', async () => {
    const { base, root } = await fortuneFolder();
    await symlink(join(base, 'secret.txt'), join(root, 'leak.txt'));
    await symlink('..', join(root, 'up'));
    await symlink('/etc', join(root, 'etc'));
    const site = createSite(root);
    for (const path of ['/leak.txt', '/up/secret.txt', '/etc/passwd', '/etc/'])
      assert.equal(body(await site.find(path, false)), 'missing', path);
  });

  it('follows symlinks that stay inside the folder', async () => {
    const { root } = await fortuneFolder();
    await symlink('index.txt', join(root, 'fortune.txt'));
    assert.equal(body(await createSite(root).find('/fortune.txt', false)), 'plain fortune\n');
  });

  it('follows a git-sync style link swap on the folder itself', async () => {
    const base = await tempDir();
    for (const revision of ['one', 'two']) {
      await mkdir(join(base, '.worktrees', revision), { recursive: true });
      await writeFile(join(base, '.worktrees', revision, 'index.txt'), `revision ${revision}\n`);
    }
    await symlink('.worktrees/one', join(base, 'html'));
    const site = createSite(join(base, 'html'));
    assert.equal(body(await site.find('/', false)), 'revision one\n');
    await symlink('.worktrees/two', join(base, '.tmp-link'));
    await rename(join(base, '.tmp-link'), join(base, 'html'));
    site.invalidate();
    assert.equal(body(await site.find('/', false)), 'revision two\n');
  });

  it('answers from memory until told of a change, and checks the disk again after maxAge', async () => {
    const { root } = await fortuneFolder();
    let now = 0;
    const site = createSite(root, { maxAgeMs: 1000, now: () => now });
    assert.equal(body(await site.find('/', false)), 'plain fortune\n');
    await writeFile(join(root, 'index.txt'), 'new fortune\n');
    assert.equal(body(await site.find('/', false)), 'plain fortune\n', 'served from memory');
    site.invalidate();
    assert.equal(body(await site.find('/', false)), 'new fortune\n', 'a change event drops the cache');
    await writeFile(join(root, 'index.txt'), 'newer fortune\n');
    now = 1000;
    assert.equal(body(await site.find('/', false)), 'newer fortune\n', 'without an event, after maxAge');
  });

  it('hands the fast path its copy without waiting, and past maxAge checks the disk in the background', async () => {
    const { root } = await fortuneFolder();
    let now = 0;
    const site = createSite(root, { maxAgeMs: 100, now: () => now });
    assert.equal(site.peek('/', false), undefined, 'nothing before the first lookup');
    await site.find('/', false);
    const first = site.peek('/', false);
    assert.equal(first && body(first), 'plain fortune\n');

    await writeFile(join(root, 'index.txt'), 'new fortune\n');
    now = 100;
    const stale = site.peek('/', false);
    assert.equal(stale && body(stale), 'plain fortune\n', 'the old copy while the disk is checked');
    const fresh = await site.find('/', false);
    assert.equal(body(fresh), 'new fortune\n');
    const next = site.peek('/', false);
    assert.equal(next && body(next), 'new fortune\n');

    await rm(join(root, 'index.txt'));
    await rm(join(root, 'index.html'));
    now = 300;
    site.peek('/', false);
    assert.equal((await site.find('/', false)).kind, 'missing');
    assert.equal(site.peek('/', false), undefined, 'a file gone from disk leaves the cache');
  });

  it('keeps handing out the same answer when the check after maxAge finds the file unchanged', async () => {
    const { root } = await fortuneFolder();
    let now = 0;
    const site = createSite(root, { maxAgeMs: 100, now: () => now });
    const first = await site.find('/', false);
    now = 100;
    assert.equal(await site.find('/', false), first, 'the same answer, headers and all');
    await writeFile(join(root, 'index.txt'), 'new fortune\n');
    now = 200;
    const changed = await site.find('/', false);
    assert.notEqual(changed, first);
    assert.equal(body(changed), 'new fortune\n');
  });

  it('never puts back an answer that was read before a change', async () => {
    const { root } = await fortuneFolder();
    const site = createSite(root);
    const slow = site.find('/', false);
    site.invalidate();
    await slow;
    await writeFile(join(root, 'index.txt'), 'after the change\n');
    assert.equal(body(await site.find('/', false)), 'after the change\n');
  });

  it('keeps one answer for every spelling of a path, however many spellings clients send', async () => {
    const { root } = await fortuneFolder();
    const site = createSite(root);
    const answer = await site.find('/index.txt', false);
    for (const spelling of ['//index.txt', '/%69ndex.txt', '/%69%6E%64%65%78.txt'])
      assert.equal(site.peek(spelling, false), answer, spelling);
    assert.equal(await site.find('///%69ndex%2etxt', false), answer);
  });

  it('keeps at most maxCachedEntries answers, the most recent', async () => {
    const { root } = await fortuneFolder();
    for (let page = 0; page < 5; page += 1) await writeFile(join(root, `${page}.txt`), `page ${page}\n`);
    const site = createSite(root, { maxCachedEntries: 2 });
    for (let page = 0; page < 5; page += 1) await site.find(`/${page}.txt`, false);
    const kept = [0, 1, 2, 3, 4].filter((page) => site.peek(`/${page}.txt`, false) !== undefined);
    assert.deepEqual(kept, [3, 4]);
  });

  it('streams large files from disk instead of keeping them in memory', async () => {
    const { root } = await fortuneFolder();
    await writeFile(join(root, 'big.bin'), Buffer.alloc(2048));
    const big = await createSite(root, { maxBodyBytes: 1024 }).find('/big.bin', false);
    assert.equal(big.kind, 'large-file');
    assert.equal(big.kind === 'large-file' && big.size, 2048);
  });

  it('has nothing to serve while the folder does not exist yet', async () => {
    const base = await tempDir();
    const site = createSite(join(base, 'html'));
    assert.equal(body(await site.find('/', false)), 'missing');
    await mkdir(join(base, 'html'));
    await writeFile(join(base, 'html', 'index.txt'), 'now there is\n');
    assert.equal(body(await site.find('/', false)), 'now there is\n');
  });
});

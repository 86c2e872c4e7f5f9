// GITSYNC_SUBMODULES, as kubernetes/git-sync's e2e::submodule_sync_default, _shallow and _off:
// a parent repository whose submodule has a submodule of its own, all served by a real git
// daemon (git://, so git's protocol.file.allow need not be lifted for file:// URLs).
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { createOrigin, type GitServer, type Origin, startGitDaemon, tempDir } from '@fortune-sidecar/testing';
import type { SubmodulesMode } from '../src/submodules.ts';
import { syncFrom } from './helpers/sync-from.ts';

const base = await tempDir('git-sync-submodules-');

describe('GITSYNC_SUBMODULES', () => {
  let daemon: GitServer;
  let lib: Origin;
  let count = 0;

  before(async () => {
    daemon = await startGitDaemon(base);
    const nested = await createOrigin(base, 'nested.git');
    await nested.commit({ 'nested-file': 'nested one' });
    lib = await createOrigin(base, 'lib.git');
    await lib.git('submodule', 'add', '--quiet', daemon.url('nested.git'), 'nested');
    await lib.commit({ 'lib-file': 'lib one' });
  });
  after(() => daemon.stop());

  async function setUp() {
    count += 1;
    const name = `site-${count}.git`;
    const site = await createOrigin(base, name);
    await site.git('submodule', 'add', '--quiet', daemon.url('lib.git'), 'lib');
    await site.commit({ file: 'site' });
    const root = join(base, `root-${count}`);
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line) });
    async function start(mode: SubmodulesMode) {
      return syncFrom(daemon, name, {
        root,
        link: 'link',
        staleWorktreeTimeoutMs: 60_000,
        submodules: { mode, depth: 1 },
        log,
      });
    }
    const served = (path: string) => readFile(join(root, 'link', path), 'utf8');
    const listed = (path: string) => readdir(join(root, 'link', path));
    return { site, root, lines, start, served, listed };
  }

  it('recursive (the default) publishes submodules of submodules, and a new submodule commit the parent records', async () => {
    const { site, root, lines, start, served } = await setUp();
    const { sync } = await start('recursive');
    await sync();
    assert.equal(await served('file'), 'site');
    assert.equal(await served('lib/lib-file'), 'lib one');
    assert.equal(await served('lib/nested/nested-file'), 'nested one');

    await lib.commit({ 'lib-file': 'lib two' });
    await site.git('submodule', 'update', '--quiet', '--remote', 'lib');
    const second = await site.commit({});
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served('lib/lib-file'), 'lib two');
    assert.equal(await served('lib/nested/nested-file'), 'nested one');

    // A worktree with its submodules checked out is a sound checkout: taken as it is after a restart.
    await rm(join(root, 'link'));
    assert.deepEqual(await (await start('recursive')).sync(), { commit: second, changed: true });
    assert.deepEqual(
      lines.filter((line) => line.includes('not a sound checkout')),
      [],
    );
  });

  it('shallow publishes the first level only', async () => {
    const { start, served, listed } = await setUp();
    await (await start('shallow')).sync();
    assert.match(await served('lib/lib-file'), /^lib /);
    assert.deepEqual(await listed('lib/nested'), []);
  });

  it('off leaves the submodule folder empty', async () => {
    const { start, served, listed } = await setUp();
    await (await start('off')).sync();
    assert.equal(await served('file'), 'site');
    assert.deepEqual(await listed('lib'), []);
  });

  it('checks out again a worktree whose submodules were never checked out', async () => {
    const { root, lines, start, served } = await setUp();
    const first = await (await start('off')).sync();
    await rm(join(root, 'link'));
    assert.deepEqual(await (await start('recursive')).sync(), { commit: first.commit, changed: true });
    assert.equal(await served('lib/nested/nested-file'), 'nested one');
    assert.equal(lines.filter((line) => line.includes('(submodules missing)')).length, 1);
  });

  it('a submodule given by a URL relative to the repository is fetched from beside it, over the same daemon', async () => {
    count += 1;
    const name = `relative-${count}.git`;
    const site = await createOrigin(base, name);
    // `../lib.git` beside the bare repository the work clone pushes to, as upstream's
    // e2e::submodule_sync_relative; git-sync must resolve it against GITSYNC_REPO instead.
    await site.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', '../lib.git', 'lib');
    const commit = await site.commit({ file: 'site' });
    assert.equal(await site.git('config', '--file', '.gitmodules', 'submodule.lib.url'), '../lib.git');
    const root = join(base, `root-${count}`);
    const { sync } = await syncFrom(daemon, name, {
      root,
      link: 'link',
      staleWorktreeTimeoutMs: 60_000,
      submodules: { mode: 'recursive', depth: 1, repo: daemon.url(name) },
      log: createLogger({ format: 'text', write: () => {} }),
    });
    assert.deepEqual(await sync(), { commit, changed: true });
    assert.match(await readFile(join(root, 'link', 'lib', 'lib-file'), 'utf8'), /^lib /);
    assert.equal(await readFile(join(root, 'link', 'lib', 'nested', 'nested-file'), 'utf8'), 'nested one');
  });

  it('a submodule removed from its submodule, then one removed from the parent, is gone from the next revisions', async () => {
    count += 1;
    // A submodule of its own, with the shared nested one, so that removing that changes no other test.
    const own = await createOrigin(base, `lib-${count}.git`);
    await own.git('submodule', 'add', '--quiet', daemon.url('nested.git'), 'nested');
    await own.commit({ 'lib-file': 'own lib' });
    const name = `removals-${count}.git`;
    const site = await createOrigin(base, name);
    await site.git('submodule', 'add', '--quiet', daemon.url(`lib-${count}.git`), 'lib');
    await site.commit({ file: 'site' });
    const root = join(base, `root-${count}`);
    const { sync } = await syncFrom(daemon, name, {
      root,
      link: 'link',
      staleWorktreeTimeoutMs: 60_000,
      submodules: { mode: 'recursive', depth: 1 },
      log: createLogger({ format: 'text', write: () => {} }),
    });
    const served = (path: string) => readFile(join(root, 'link', path), 'utf8');
    const listed = (path: string) => readdir(join(root, 'link', path));
    await sync();
    assert.equal(await served('lib/nested/nested-file'), 'nested one');

    // As upstream's e2e::submodule_sync_default: the nested submodule removed from the submodule...
    await own.git('rm', '--quiet', 'nested');
    await own.commit({ 'lib-file': 'own lib, no nested' });
    await site.git('submodule', 'update', '--quiet', '--remote', 'lib');
    const second = await site.commit({});
    assert.deepEqual(await sync(), { commit: second, changed: true });
    assert.equal(await served('lib/lib-file'), 'own lib, no nested');
    await assert.rejects(listed('lib/nested'), { code: 'ENOENT' });

    // ...then the submodule removed from the parent.
    await site.git('rm', '--quiet', 'lib');
    const third = await site.commit({});
    assert.deepEqual(await sync(), { commit: third, changed: true });
    assert.equal(await served('file'), 'site');
    await assert.rejects(listed('lib'), { code: 'ENOENT' });
  });

  it('a submodule that cannot be fetched fails the sync, and the published revision stays', async () => {
    const { site, root, start, served } = await setUp();
    const { publisher, sync } = await start('recursive');
    const first = await sync();
    await site.git('config', '--file', '.gitmodules', 'submodule.lib.url', daemon.url('missing.git'));
    const broken = await site.commit({ file: 'site two' });
    await assert.rejects(sync(), /git submodule failed/);
    assert.equal(publisher.published(), first.commit);
    assert.equal(await served('file'), 'site');
    assert.match(await served('lib/lib-file'), /^lib /);
    assert.ok(!(await readdir(join(root, '.gitsync/worktrees'))).includes(broken));
  });
});

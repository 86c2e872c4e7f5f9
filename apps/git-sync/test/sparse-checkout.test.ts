// GITSYNC_SPARSE_CHECKOUT_FILE, as kubernetes/git-sync's e2e::sparse_checkout: only the paths
// the patterns match are published. Real repositories, served by a real git daemon.
import assert from 'node:assert/strict';
import { access, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { createOrigin, type GitServer, startGitDaemon, tempDir } from '@fortune-sidecar/testing';
import { sparseCheckout } from '../src/sparse-checkout.ts';
import { syncFrom } from './helpers/sync-from.ts';

const base = await tempDir('git-sync-sparse-');

async function absent(path: string): Promise<boolean> {
  return access(path).then(
    () => false,
    () => true,
  );
}

describe('GITSYNC_SPARSE_CHECKOUT_FILE', () => {
  let daemon: GitServer;
  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  it('publishes only the matching paths, reading the patterns again for each new commit', async () => {
    const origin = await createOrigin(base, 'site.git');
    await origin.commit({ file: 'top', file2: 'second', 'dir/file3': 'inside', 'other/file4': 'elsewhere' });
    const root = join(base, 'root');
    const patterns = join(base, 'sparse');
    // Upstream's own test file: everything excluded, then one file put back; plus one folder.
    await writeFile(patterns, '!/*\n!/*/\nfile2\n/dir/\n');
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line) });
    const start = async () => {
      const { sync } = await syncFrom(daemon, 'site.git', {
        root,
        link: 'link',
        staleWorktreeTimeoutMs: 60_000,
        fillWorktree: sparseCheckout(patterns),
        log,
      });
      return sync;
    };
    const link = join(root, 'link');

    const first = await (await start())();
    assert.equal(first.changed, true);
    assert.deepEqual((await readdir(link)).filter((name) => name !== '.git').sort(), ['dir', 'file2']);
    assert.equal(await readFile(join(link, 'file2'), 'utf8'), 'second');
    assert.equal(await readFile(join(link, 'dir/file3'), 'utf8'), 'inside');
    assert.ok(await absent(join(link, 'file')));
    assert.ok(await absent(join(link, 'other')));

    // The worktree check of a folder git-sync did not just link finds the sparse checkout clean.
    await rm(link);
    const again = await (await start())();
    assert.deepEqual(again, { commit: first.commit, changed: true });
    assert.deepEqual(
      lines.filter((line) => line.includes('not a sound checkout')),
      [],
    );

    await writeFile(patterns, '/other/\n');
    const sync = await start();
    await origin.commit({ 'other/file4': 'changed' });
    const second = await sync();
    assert.equal(second.changed, true);
    assert.deepEqual(
      (await readdir(link)).filter((name) => name !== '.git'),
      ['other'],
    );
    assert.equal(await readFile(join(link, 'other/file4'), 'utf8'), 'changed');
  });

  it('fails the sync and keeps the published revision when the patterns file is gone', async () => {
    const origin = await createOrigin(base, 'gone.git');
    await origin.commit({ file: 'one', 'dir/file': 'one' });
    const root = join(base, 'root-gone');
    const patterns = join(base, 'sparse-gone');
    await writeFile(patterns, '/dir/\n');
    const log = createLogger({ format: 'text', write: () => {} });
    const { publisher, sync } = await syncFrom(daemon, 'gone.git', {
      root,
      link: 'link',
      staleWorktreeTimeoutMs: 60_000,
      fillWorktree: sparseCheckout(patterns),
      log,
    });
    const first = await sync();
    await rm(patterns);
    await origin.commit({ 'dir/file': 'two' });
    await assert.rejects(sync(), { code: 'ENOENT' });
    assert.equal(publisher.published(), first.commit);
    assert.equal(await readFile(join(root, 'link', 'dir/file'), 'utf8'), 'one');
  });
});

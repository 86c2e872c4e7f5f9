import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { type FolderWatch, watchFolder } from '../src/watch-folder.ts';

const warnings: string[] = [];
const log = createLogger({ format: 'json', write: (line) => warnings.push(line) });
const watches: FolderWatch[] = [];
after(() => Promise.all(watches.map((watch) => watch.close())));

/** Lets the events of an earlier action arrive, so that they never count for the next one. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** A watch of `root` that counts the changes it reports. */
async function watching(root: string) {
  let count = 0;
  let waiting: (() => void) | undefined;
  const watch = watchFolder(
    root,
    () => {
      count += 1;
      waiting?.();
    },
    log,
  );
  watches.push(watch);
  await watch.ready;
  return {
    /** Resolves on the next change reported after `action`, or fails after 1 s. */
    async reports(what: string, action: () => Promise<unknown>) {
      await settle();
      const before = count;
      const seen = new Promise<void>((resolve) => {
        waiting = resolve;
      });
      await action();
      if (count > before) return;
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no change reported within 1 s of ${what}`)), 1000).unref(),
      );
      await Promise.race([seen, timeout]);
    },
    /** Fails if `action` is reported as a change within 300 ms. */
    async ignores(what: string, action: () => Promise<unknown>) {
      await settle();
      const before = count;
      await action();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(count, before, `${what} was reported as a change`);
    },
  };
}

/** How many inotify watches this process holds (Linux: one `inotify wd:` line in fdinfo each). */
async function inotifyWatches(): Promise<number> {
  let total = 0;
  for (const fd of await readdir('/proc/self/fdinfo')) {
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    total += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return total;
}

describe('the watch of the served folder', () => {
  it('reports a file renamed into place, a write in place and a removal', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.txt'), 'old\n');
    const watch = await watching(root);
    await watch.reports('a rename into place', async () => {
      await writeFile(join(root, '.index.txt.tmp'), 'new\n');
      await rename(join(root, '.index.txt.tmp'), join(root, 'index.txt'));
    });
    await watch.reports('a write in place', () => writeFile(join(root, 'index.txt'), 'edited\n'));
    await watch.reports('a removal', () => rm(join(root, 'index.txt')));
  });

  it('reports changes in folders below, old and new', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'b', 'page.html'), '<p>1</p>\n');
    const watch = await watching(root);
    await watch.reports('a write two folders down', () =>
      writeFile(join(root, 'a', 'b', 'page.html'), '<p>2</p>\n'),
    );
    await watch.reports('a new folder', () => mkdir(join(root, 'new')));
    await watch.reports('a file in the new folder', () => writeFile(join(root, 'new', 'x.txt'), 'x\n'));
  });

  it('follows a git-sync link swap: reports it, then watches the new revision', async () => {
    const base = await tempDir();
    for (const revision of ['aaa', 'bbb']) {
      await mkdir(join(base, '.gitsync', revision), { recursive: true });
      await writeFile(join(base, '.gitsync', revision, 'index.html'), `<p>${revision}</p>\n`);
    }
    await symlink('.gitsync/aaa', join(base, 'html'));
    const watch = await watching(join(base, 'html'));
    await watch.reports('a link swap', async () => {
      await symlink('.gitsync/bbb', join(base, '.html.tmp'));
      await rename(join(base, '.html.tmp'), join(base, 'html'));
    });
    await watch.reports('a write in the new revision', () =>
      writeFile(join(base, '.gitsync', 'bbb', 'index.html'), '<p>bbb, edited</p>\n'),
    );
    await watch.ignores('a write in the old revision', () =>
      writeFile(join(base, '.gitsync', 'aaa', 'index.html'), '<p>aaa, edited</p>\n'),
    );
  });

  it('reports the folder appearing after the start, then changes in it', async () => {
    const base = await tempDir();
    const watch = await watching(join(base, 'html'));
    await watch.reports('the folder appearing', () => mkdir(join(base, 'html')));
    await watch.reports('a first file', () => writeFile(join(base, 'html', 'index.txt'), 'hello\n'));
  });

  it('follows the folder removed and made again at the same path', async () => {
    const base = await tempDir();
    const root = join(base, 'html');
    await mkdir(root);
    const watch = await watching(root);
    await watch.reports('the folder removed', () => rm(root, { recursive: true }));
    await watch.reports('the folder made again', () => mkdir(root));
    await watch.reports('a file in the new folder', () => writeFile(join(root, 'index.txt'), 'x\n'));
  });

  it('does not report hidden entries alone: temporary files and git-sync’s own folder', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.gitsync'));
    const watch = await watching(root);
    await watch.ignores('a temporary file', () => writeFile(join(root, '.index.txt.tmp'), 'half\n'));
    await watch.ignores('a write under .gitsync', () => writeFile(join(root, '.gitsync', 'state'), 'x\n'));
  });

  it('watches folders, not files: 2,000 files in 20 folders cost about 21 inotify watches', async (t) => {
    if (process.platform !== 'linux') return t.skip('counts inotify watches: Linux only');
    const root = await tempDir();
    for (let folder = 0; folder < 20; folder += 1) {
      await mkdir(join(root, `f${folder}`));
      await Promise.all(
        Array.from({ length: 100 }, (_, file) => writeFile(join(root, `f${folder}`, `${file}.html`), 'x\n')),
      );
    }
    const before = await inotifyWatches();
    await watching(root);
    const added = (await inotifyWatches()) - before;
    assert.ok(added >= 21 && added <= 25, `the watch added ${added} inotify watches`);
  });

  it('warns nothing in all of the above', () => {
    assert.deepEqual(warnings, []);
  });
});

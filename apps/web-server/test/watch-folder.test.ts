import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { eventually, tempDir } from '@fortune-sidecar/testing';
import { type FolderWatch, watchFolder } from '../src/watch-folder.ts';
import { inotifyWatches } from './helpers/process-resources.ts';

const warnings: string[] = [];
const log = createLogger({ format: 'json', write: (line) => warnings.push(line) });
const watches: FolderWatch[] = [];
after(() => Promise.all(watches.map((watch) => watch.close())));

// A folder of the test's own, watched beside the watch under test. Every watch of this process
// reads one inotify queue, in the order the kernel filled it: once a file made here is
// reported, everything done before it has been reported too, or never will be.
const marks = await tempDir();
const markWaiters = new Map<string, () => void>();
const markWatch = watch(marks, (_event, name) => {
  if (name !== null) markWaiters.get(name)?.();
});
after(() => markWatch.close());
let markCount = 0;

/** Resolves once every change made before it has been reported, if it is reported at all. */
async function allReported(): Promise<void> {
  markCount += 1;
  const name = `mark-${markCount}`;
  const seen = new Promise<void>((resolve) => markWaiters.set(name, resolve));
  await writeFile(join(marks, name), '');
  await seen;
  markWaiters.delete(name);
}

/** A watch of `root` that counts the changes it reports. */
async function watching(root: string, { maxFolders = 1000, logger = log } = {}) {
  let count = 0;
  const watch = watchFolder(
    root,
    () => {
      count += 1;
    },
    logger,
    { maxFolders },
  );
  watches.push(watch);
  await watch.ready;
  /** Whether `action` was reported as a change. */
  const reported = async (action: () => Promise<unknown>) => {
    await allReported();
    // A swap seen earlier ends with a change announced once the new folder is watched: not
    // this action's.
    await watch.ready;
    const before = count;
    await action();
    await allReported();
    return count > before;
  };
  return {
    async reports(what: string, action: () => Promise<unknown>) {
      assert.ok(await reported(action), `${what} was not reported`);
    },
    /**
     * For the first write in a folder the watch has just found: the watch of that folder is set
     * up a moment after the folder is seen, so the write is made again until it is reported.
     */
    async reportsOnceWatched(what: string, write: () => Promise<unknown>) {
      await eventually(async () => ((await reported(write)) ? true : undefined), { what });
    },
    async ignores(what: string, action: () => Promise<unknown>) {
      assert.equal(await reported(action), false, `${what} was reported as a change`);
    },
  };
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
    await watch.reportsOnceWatched('a file in the new folder', () =>
      writeFile(join(root, 'new', 'x.txt'), 'x\n'),
    );
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
    await watch.reportsOnceWatched('a write in the new revision', () =>
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
    await watch.reportsOnceWatched('a first file', () =>
      writeFile(join(base, 'html', 'index.txt'), 'hello\n'),
    );
  });

  it('follows the folder removed and made again at the same path', async () => {
    const base = await tempDir();
    const root = join(base, 'html');
    await mkdir(root);
    const watch = await watching(root);
    await watch.reports('the folder removed', () => rm(root, { recursive: true }));
    await watch.reports('the folder made again', () => mkdir(root));
    await watch.reportsOnceWatched('a file in the new folder', () =>
      writeFile(join(root, 'index.txt'), 'x\n'),
    );
  });

  it('does not report hidden entries alone: temporary files and git-sync’s own folder', async () => {
    const root = await tempDir();
    await mkdir(join(root, '.gitsync'));
    const watch = await watching(root);
    await watch.ignores('a temporary file', () => writeFile(join(root, '.index.txt.tmp'), 'half\n'));
    await watch.ignores('a write under .gitsync', () => writeFile(join(root, '.gitsync', 'state'), 'x\n'));
  });

  it("reports changes in the top folder's .well-known, which is served, and in no other", async () => {
    const root = await tempDir();
    await mkdir(join(root, '.well-known'));
    await mkdir(join(root, 'sub', '.well-known'), { recursive: true });
    const watch = await watching(root);
    await watch.reports('a write in .well-known', () =>
      writeFile(join(root, '.well-known', 'security.txt'), 'Contact: x\n'),
    );
    await watch.ignores('a hidden file in .well-known', () =>
      writeFile(join(root, '.well-known', '.x'), 'x\n'),
    );
    await watch.ignores('a write in sub/.well-known', () =>
      writeFile(join(root, 'sub', '.well-known', 'security.txt'), 'x\n'),
    );
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

  it('watches at most maxFolders folders, the top levels first, and says so once', async (t) => {
    if (process.platform !== 'linux') return t.skip('counts inotify watches: Linux only');
    // In a folder of its own, so that the watch of its parent is this test's alone.
    const root = join(await tempDir(), 'site');
    for (let top = 0; top < 4; top += 1)
      for (let below = 0; below < 10; below += 1)
        await mkdir(join(root, `t${top}`, `b${below}`), { recursive: true });
    const said: string[] = [];
    const before = await inotifyWatches();
    const watch = await watching(root, {
      maxFolders: 8,
      logger: createLogger({ format: 'json', write: (line) => said.push(line) }),
    });
    // The folder, its 4 folders and 3 of theirs; one more for the folder's entry in its parent.
    assert.equal((await inotifyWatches()) - before, 9);
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0] ?? '', /Watching 8 folders, the most WEB_WATCH_FOLDERS allows/);
    await watch.reports('a write in a top-level folder', () =>
      writeFile(join(root, 't3', 'page.html'), 'x\n'),
    );
    await watch.ignores('a write in a folder past the budget', () =>
      writeFile(join(root, 't3', 'b9', 'page.html'), 'x\n'),
    );
  });

  it('lets go of the watch of a folder removed, and watches a folder made in its place', async (t) => {
    if (process.platform !== 'linux') return t.skip('counts inotify watches: Linux only');
    const root = join(await tempDir(), 'site');
    await mkdir(join(root, 'old', 'below'), { recursive: true });
    const before = await inotifyWatches();
    const watch = await watching(root, { maxFolders: 3 });
    assert.equal((await inotifyWatches()) - before, 4);
    await watch.reports('a folder removed', () => rm(join(root, 'old'), { recursive: true }));
    await eventually(async () => ((await inotifyWatches()) - before === 2 ? true : undefined), {
      what: 'the watches of the removed folders to go',
    });
    await watch.reports('a new folder', () => mkdir(join(root, 'new')));
    await watch.reportsOnceWatched('a file in it', () => writeFile(join(root, 'new', 'page.html'), 'x\n'));
  });

  it('watches a folder replaced by another of the same name', async (t) => {
    if (process.platform !== 'linux') return t.skip('counts inotify watches: Linux only');
    const root = join(await tempDir(), 'site');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(join(root, 'next'));
    const before = await inotifyWatches();
    const watch = await watching(root, { maxFolders: 4 });
    await watch.reports('the folder replaced', () => rename(join(root, 'next'), join(root, 'sub')));
    // The top folder, its parent (for a link swap) and the new sub: the kernel dropped the old
    // sub's watch with it, and next's is gone with its name.
    await eventually(async () => ((await inotifyWatches()) - before === 3 ? true : undefined), {
      what: 'a watch for the new sub',
    });
    await watch.reports('a file in the new one', () => writeFile(join(root, 'sub', 'page.html'), 'x\n'));
  });

  it('warns nothing in all of the above', () => {
    assert.deepEqual(warnings, []);
  });
});

// The folder watch of the running server on large sites: nothing kept per file, and at most
// WEB_WATCH_FOLDERS inotify watches (1,000 by default) however many folders a site has, with
// the cache's check on disk covering the folders past them. The server runs with the heap
// Node.js sizes for the web server's container (128Mi in every manifest).
import assert from 'node:assert/strict';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  eventually,
  HEAP_OF_A_128MI_CONTAINER,
  httpGet,
  resourceBounds,
  tempDir,
} from '@fortune-sidecar/testing';
import { keepAliveLoad } from './helpers/keep-alive-load.ts';
import { idleRss, inotifyWatches, memoryOf } from './helpers/process-resources.ts';
import { startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);

/** A site of `outer` folders with `inner` entries each, made by `make`, in `root`. */
async function site(
  root: string,
  outer: number,
  inner: number,
  make: (folder: string, i: number) => Promise<unknown>,
) {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'index.html'), `<p>${root}</p>\n`);
  for (let folder = 0; folder < outer; folder += 1) {
    await mkdir(join(root, `d${folder}`));
    await Promise.all(Array.from({ length: inner }, (_, i) => make(join(root, `d${folder}`), i)));
  }
}

/** 1,000 folders in each of 30, and a page in the last of them. */
async function deepSite(root: string) {
  await site(root, 30, 1000, (folder, i) => mkdir(join(folder, `s${i}`)));
  await writeFile(join(root, 'd29', 's999', 'index.html'), '<p>999</p>\n');
}

describe('the folder watch of the running server', () => {
  it('keeps nothing per file: a site of 10,000 files adds under 20 MB to its memory watched, and under 50 MB served', async () => {
    const root = join(await tempDir(), 'site');
    await site(root, 100, 100, (folder, i) =>
      writeFile(join(folder, `p${i}.html`), `<p>page ${i}</p>\n`.repeat(20)),
    );
    // The server says it serves once the watch is in place.
    const { server, url } = await startServerProcess(root, HEAP_OF_A_128MI_CONTAINER);
    const pid = server.child.pid as number;
    const watched = await memoryOf(pid);
    const files = 10_000;
    const statuses = await keepAliveLoad(url, (i) => `/d${i % 100}/p${Math.floor(i / 100)}.html`, {
      count: files,
    });
    assert.deepEqual(statuses, { 200: files });
    const served = await memoryOf(pid);
    const before = await idleRss(HEAP_OF_A_128MI_CONTAINER);
    bounds.push({
      tried: 'a site of 10,000 files in 100 folders, watched, then every file asked for once',
      bound: 'RSS grows by under 20 MB over the idle server once watched, and under 50 MB once served',
      measured: `${watched.rss.toFixed(0)} MB watched, ${served.rss.toFixed(0)} MB served (idle ${before.toFixed(0)} MB), ${await inotifyWatches(pid)} inotify watches`,
    });
    assert.ok(
      watched.rss - before < 20,
      `RSS ${watched.rss.toFixed(1)} MB once watched, idle ${before.toFixed(1)} MB`,
    );
    assert.ok(
      served.rss - before < 50,
      `RSS ${served.rss.toFixed(1)} MB once served, idle ${before.toFixed(1)} MB`,
    );
  });

  it('watches at most 1,000 folders of a site of 30,000, through a new revision, and changes past them still show', async () => {
    // As git-sync publishes: revisions under a hidden folder, and a link swapped to the new one.
    const base = await tempDir();
    await deepSite(join(base, '.gitsync', 'one'));
    await symlink('.gitsync/one', join(base, 'html'));
    const { server, url } = await startServerProcess(join(base, 'html'), HEAP_OF_A_128MI_CONTAINER);
    const pid = server.child.pid as number;
    const first = await inotifyWatches(pid);
    assert.ok(first <= 1001, `${first} inotify watches`);
    assert.ok(
      server.logs().some((line) => line.level === 'warn' && line.msg.startsWith('Watching 1000 folders')),
      'says that the budget is spent',
    );

    await deepSite(join(base, '.gitsync', 'two'));
    await symlink('.gitsync/two', join(base, '.html.tmp'));
    let slowest = 0;
    let swapped = false;
    const asking = (async () => {
      while (!swapped || (await inotifyWatches(pid)) < 1001) {
        const started = performance.now();
        swapped = (await httpGet(url, '/')).body.includes('/two');
        slowest = Math.max(slowest, performance.now() - started);
      }
    })();
    await rename(join(base, '.html.tmp'), join(base, 'html'));
    await asking;
    const watches = await inotifyWatches(pid);
    const { peak } = await memoryOf(pid);
    const before = await idleRss(HEAP_OF_A_128MI_CONTAINER);
    bounds.push({
      tried: 'a site of 30,000 folders, then a new revision of it swapped in as git-sync does',
      bound:
        'at most 1,001 inotify watches (WEB_WATCH_FOLDERS=1000, and the link in its parent); peak RSS under 40 MB over the idle server',
      measured: `${watches} inotify watches, peak RSS ${peak.toFixed(0)} MB (idle ${before.toFixed(0)} MB), slowest answer during the swap ${slowest.toFixed(0)} ms`,
    });
    assert.ok(watches <= 1001, `${watches} inotify watches after the swap`);
    assert.ok(peak - before < 40, `peak RSS ${peak.toFixed(1)} MB, idle ${before.toFixed(1)} MB`);

    // Breadth first, the 30 top-level folders and most of d0's fill the budget: d29's come after.
    assert.equal((await httpGet(url, '/d29/s999/')).body, '<p>999</p>\n');
    await writeFile(join(base, '.gitsync', 'two', 'd29', 's999', 'index.html'), '<p>changed</p>\n');
    await eventually(
      async () => ((await httpGet(url, '/d29/s999/')).body === '<p>changed</p>\n' ? true : undefined),
      { what: 'the change past the watched folders' },
    );
  });
});

import { type FSWatcher, watch } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, relative, sep } from 'node:path';
import type { Logger } from '@fortune-sidecar/common';
import chokidar from 'chokidar';

export interface FolderWatch {
  /** Resolves once the watcher has seen the folder as it is. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const isHidden = (name: string) => name.startsWith('.');

/** Where the folder really is, and which folder it is: one removed and made again is another. */
async function identify(root: string): Promise<{ path: string; id: string } | undefined> {
  try {
    const path = await realpath(root);
    const { dev, ino } = await stat(path);
    return { path, id: `${path} ${dev}:${ino}` };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` for every change in the served folder, and for the folder itself appearing,
 * disappearing or being swapped.
 *
 * Only folders are watched, never each file: inotify on a folder already reports every create,
 * write, rename and removal in it, so a site of 10,000 files in 100 folders costs 100 watches
 * instead of 10,100 (and about 70 MB less memory). The folder's own entry is watched in its
 * parent, because git-sync publishes a revision by swapping the link the folder is: the watch of
 * the old target sees nothing of that, so on a swap the folder is watched again where the link
 * now points. Changes to hidden entries alone (temporary files, `.gitsync`) are not reported;
 * the rename that ends an atomic write is seen under the file's real name.
 */
export function watchFolder(root: string, onChange: () => void, log: Logger): FolderWatch {
  let contents: ReturnType<typeof chokidar.watch> | undefined;
  let watchedId: string | undefined;
  let initial = true;
  let closed = false;
  const warn = (error: unknown) =>
    log.warn('Watching the folder failed; changes show within a second anyway', { error });

  async function watchContents(): Promise<void> {
    const target = await identify(root);
    if (target?.id === watchedId && contents) return;
    await contents?.close();
    contents = undefined;
    // At start the folder is as the server found it; a later folder is new to the pages.
    const announce = !initial;
    initial = false;
    watchedId = target?.id;
    // Not there yet: the parent's watch says when it appears.
    if (closed || target === undefined) return;
    const hiddenBelow = (path: string) => relative(target.path, path).split(sep).some(isHidden);
    const watcher = chokidar.watch(target.path, {
      ignoreInitial: true,
      followSymlinks: false,
      // chokidar's atomic-write smoothing waits 100 ms per change; freshness matters more here.
      atomic: false,
      ignored: (path, stats) => hiddenBelow(path) || stats?.isFile() === true,
    });
    // 'raw' is what the folders' inotify watches report about the files in them; 'all' covers
    // folders and links coming and going.
    watcher.on('raw', (_event, name) => {
      if (typeof name !== 'string' || !isHidden(basename(name))) onChange();
    });
    watcher.on('all', () => onChange());
    watcher.on('error', warn);
    contents = watcher;
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    // What changed in a new folder before its watch was ready was seen by no one.
    if (announce) onChange();
  }

  let restarting = watchContents().catch(warn);
  let parent: FSWatcher | undefined;
  try {
    parent = watch(dirname(root), (_event, name) => {
      if (name !== basename(root)) return;
      onChange();
      restarting = restarting.then(watchContents).catch(warn);
    });
    parent.on('error', warn);
  } catch (error) {
    log.warn(`Cannot watch ${dirname(root)}; a new ${basename(root)} there shows within a second`, { error });
  }

  return {
    ready: restarting,
    async close() {
      closed = true;
      parent?.close();
      await restarting;
      await contents?.close();
    },
  };
}

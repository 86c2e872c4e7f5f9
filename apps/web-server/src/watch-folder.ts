import { type FSWatcher, watch } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '@fortune-sidecar/common';
import { type TreeWatch, watchTree } from './watch-tree.ts';

export interface FolderWatch {
  /**
   * Resolves once the watcher has seen the folder as it is: at start, and after a swap it has
   * been told of, once the new folder is watched and its change announced.
   */
  readonly ready: Promise<void>;
  /** How many folders of the served tree hold a watch now (the parent's watch is not one of them). */
  folders(): number;
  close(): Promise<void>;
}

export interface FolderWatchOptions {
  /** At most this many folders of the served tree are watched (WEB_WATCH_FOLDERS). */
  readonly maxFolders: number;
}

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
 * The folder and the folders below it are watched up to a budget (see watch-tree.ts), never
 * each file. The folder's own entry is watched in its parent, because git-sync publishes a
 * revision by swapping the link the folder is: the watch of the old target sees nothing of
 * that, so on a swap the watch of the old revision is let go and the new one is watched. Changes
 * to hidden entries alone (temporary files, `.gitsync`) are not reported; the rename that ends
 * an atomic write is seen under the file's real name.
 */
export function watchFolder(
  root: string,
  onChange: () => void,
  log: Logger,
  { maxFolders }: FolderWatchOptions,
): FolderWatch {
  let contents: TreeWatch | undefined;
  let watchedId: string | undefined;
  let initial = true;
  let closed = false;
  const warn = (error: unknown) =>
    log.warn('Watching the folder failed; changes show within a second anyway', { error });
  const full = (watched: number, byKernel: boolean) =>
    log.warn(
      `Watching ${watched} folders, the most ${byKernel ? 'the kernel allows (fs.inotify.max_user_watches)' : 'WEB_WATCH_FOLDERS allows'}: changes in the folders past them show when the cache checks its copy on disk, and open pages there get no live updates`,
      { folders: watched },
    );

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
    contents = watchTree(target.path, { maxFolders, onChange, onFull: full, onError: warn });
    await contents.ready;
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
    get ready() {
      return restarting;
    },
    folders: () => contents?.folders() ?? 0,
    async close() {
      closed = true;
      parent?.close();
      await restarting;
      await contents?.close();
    },
  };
}

import { type FSWatcher, watch } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isPrivate } from './request-path.ts';

export interface TreeWatchOptions {
  /** At most this many folders hold an inotify watch at a time, the top one included. */
  readonly maxFolders: number;
  /** Called for every change seen in a watched folder, hidden entries excepted. */
  readonly onChange: () => void;
  /**
   * Called once when the tree has more folders than the budget allows, or the kernel refuses
   * more watches (`fs.inotify.max_user_watches`, shared by every process of the user).
   */
  readonly onFull: (watched: number, byKernel: boolean) => void;
  readonly onError: (error: unknown) => void;
}

export interface TreeWatch {
  /** Resolves once the folders that fit in the budget are watched. */
  readonly ready: Promise<void>;
  /** How many folders hold a watch now. */
  folders(): number;
  close(): Promise<void>;
}

// Entries read from the disk per step, and watches closed per step: each step is short, and
// requests are answered between steps, however large the tree.
const STEP = 256;

/**
 * Watches a folder and the folders below it with node:fs.watch, one inotify watch per folder
 * (inotify on a folder reports every create, write, rename and removal in it, so files need no
 * watch of their own), up to `maxFolders`. Folders are taken breadth first, so the top levels
 * of a site, where most pages are, come first; past the budget the walk stops, and changes in
 * the folders left out are seen only by the cache's check on disk. Nothing is kept per file:
 * folders are listed from their entries' types, without a stat of each file. Hidden entries
 * (temporary files, `.git`, `.gitsync`) are neither reported nor walked into; the top's
 * `.well-known`, which is served, is.
 */
export function watchTree(top: string, options: TreeWatchOptions): TreeWatch {
  const watchers = new Map<string, FSWatcher>();
  const unserved = (folder: string, name: string) => isPrivate(name, folder === top ? 0 : 1);
  let closed = false;
  // Why a folder was left out, if one was: said once, when the walk that met it ends.
  let full: 'budget' | 'kernel' | undefined;
  let fullSaid = false;
  // Names a rename was seen for, checked one at a time; a name seen again meanwhile (a folder
  // removed, then made again) is checked once more when the check in progress ends.
  const checking = new Set<string>();
  const checkAgain = new Set<string>();

  const reportFull = (byKernel = false) => {
    full ??= byKernel ? 'kernel' : 'budget';
  };

  function watchOne(folder: string): boolean {
    if (closed || watchers.has(folder)) return false;
    if (watchers.size >= options.maxFolders) {
      reportFull();
      return false;
    }
    try {
      const watcher = watch(folder, (event, name) => changed(folder, event, name));
      watcher.on('error', options.onError);
      watchers.set(folder, watcher);
      return true;
    } catch (error) {
      // The kernel's own limit (ENOSPC) is a budget too; a folder gone meanwhile is no error.
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') reportFull(true);
      else if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError(error);
      return false;
    }
  }

  /** Watches `start` and the folders below it, breadth first, while the budget lasts. */
  async function walk(start: string): Promise<void> {
    const queue = [start];
    for (let next = 0; next < queue.length && !closed; next += 1) {
      const folder = queue[next] as string;
      if (!watchOne(folder)) continue;
      try {
        // Read STEP entries at a time: each read is a turn of the event loop.
        for await (const entry of await opendir(folder, { bufferSize: STEP })) {
          if (closed) break;
          if (entry.isDirectory() && !unserved(folder, entry.name)) {
            // Every folder still queued will want a watch: past the budget, stop listing.
            if (watchers.size + queue.length - next - 1 >= options.maxFolders) {
              reportFull();
              break;
            }
            queue.push(join(folder, entry.name));
          }
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.onError(error);
      }
    }
    if (full && !fullSaid && !closed) {
      fullSaid = true;
      options.onFull(watchers.size, full === 'kernel');
    }
  }

  function unwatchBelow(path: string): void {
    // A folder is watched only below a watched one: if this one is not, none below it is.
    if (!watchers.has(path)) return;
    for (const [folder, watcher] of watchers) {
      if (folder === path || folder.startsWith(path + sep)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
  }

  /**
   * A name created, removed or renamed: what was watched under it is let go, and a folder there
   * now is watched afresh (it may be another folder of the same name, which the old watch, on
   * the removed folder, no longer sees).
   */
  async function renamed(path: string): Promise<void> {
    const facts = await lstat(path).catch(() => undefined);
    if (closed) return;
    unwatchBelow(path);
    if (facts?.isDirectory()) await walk(path);
  }

  function changed(folder: string, event: string, name: string | null): void {
    if (closed) return;
    if (name !== null && unserved(folder, name)) return;
    options.onChange();
    if (event !== 'rename' || name === null) return;
    check(join(folder, name));
  }

  function check(path: string): void {
    if (checking.has(path)) {
      checkAgain.add(path);
      return;
    }
    checking.add(path);
    renamed(path)
      .catch(options.onError)
      .finally(() => {
        checking.delete(path);
        if (checkAgain.delete(path)) check(path);
      });
  }

  const ready = walk(top).catch(options.onError);
  return {
    ready,
    folders: () => watchers.size,
    async close() {
      closed = true;
      await ready;
      let closedHere = 0;
      for (const [folder, watcher] of watchers) {
        watcher.close();
        watchers.delete(folder);
        if (++closedHere % STEP === 0) await nextTurn();
      }
    },
  };
}

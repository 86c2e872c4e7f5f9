import { relative, sep } from 'node:path';
import type { Logger } from '@fortune-sidecar/common';
import chokidar from 'chokidar';

export interface FolderWatch {
  /** Resolves once the watcher has seen the folder as it is. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onChange` for every change in the served folder. Symlinks are watched as entries,
 * not followed: git-sync never changes a published revision, it swaps its link, and that
 * swap is the one event that matters. Hidden entries (temporary files, `.gitsync`) are not
 * watched; the rename that ends an atomic write is seen under the file's real name.
 */
export function watchFolder(root: string, onChange: () => void, log: Logger): FolderWatch {
  const hidden = (path: string) =>
    relative(root, path)
      .split(sep)
      .some((segment) => segment.startsWith('.'));
  const watcher = chokidar.watch(root, {
    ignoreInitial: true,
    followSymlinks: false,
    // chokidar's atomic-write smoothing waits 100 ms per change; freshness matters more here.
    atomic: false,
    ignored: hidden,
  });
  watcher.on('all', () => onChange());
  watcher.on('error', (error) =>
    log.warn('Watching the folder failed; changes show within a second anyway', { error }),
  );
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { ready, close: () => watcher.close() };
}

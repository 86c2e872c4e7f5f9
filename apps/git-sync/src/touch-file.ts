import { mkdir, open, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@fortune-sidecar/common';

/**
 * Touches `path` after a sync that published a commit, and after the first successful sync of
 * this process even when the commit was already published, as upstream: a watcher started
 * alongside git-sync then learns that the files are ready without waiting for a new commit.
 * A failure to touch is logged, not a failed sync: the commit is published all the same.
 */
export function createTouchFile(path: string, log: Logger): (changed: boolean) => Promise<void> {
  let touched = false;
  return async (changed) => {
    if (!changed && touched) return;
    touched = true;
    try {
      await touch(path);
    } catch (error) {
      log.error('Cannot touch GITSYNC_TOUCH_FILE', { path, error });
    }
  };
}

async function touch(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const now = new Date();
  // Opening for append creates a missing file and leaves an existing one's content alone.
  const file = await open(path, 'a', 0o644);
  await file.close();
  await utimes(path, now, now);
}

import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Logger, writeFilesAtomic } from '@fortune-sidecar/common';
import { OWNER } from './publish.ts';

/** Enough for git's own message; a remote's endless answer must not fill the volume. */
export const MAX_ERROR_CHARS = 16 * 1024;

export interface ErrorFile {
  /**
   * Removes what a crash mid-write left beside the file. Only this file's own temporary names:
   * the folder may be outside GITSYNC_ROOT and shared (/tmp), and the root's recovery never sees it.
   */
  recover(): Promise<void>;
  /** Replaces the file with this failure, redacted, in upstream's JSON form. */
  failed(error: string, failures: number): Promise<void>;
  /** Removes the file after a successful sync. */
  synced(): Promise<void>;
}

export function createErrorFile(path: string, redact: (text: string) => string, log: Logger): ErrorFile {
  const dir = dirname(path);
  const name = basename(path);
  return {
    async recover() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return; // No folder yet, so nothing left in it.
      }
      const prefix = `.${OWNER}-${name}-`;
      for (const entry of names) {
        if (!entry.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length))) continue;
        try {
          await rm(join(dir, entry), { force: true });
          log.info(`Removed ${join(dir, entry)}, left by an interrupted GITSYNC_ERROR_FILE write`);
        } catch (cause) {
          log.warn('Cannot remove a temporary GITSYNC_ERROR_FILE', { path: join(dir, entry), error: cause });
        }
      }
    },
    async failed(error, failures) {
      let text = redact(error);
      if (text.length > MAX_ERROR_CHARS) text = `${text.slice(0, MAX_ERROR_CHARS)}… (cut)`;
      // Upstream's keys, so that what reads upstream's error file reads this one.
      const payload = { Msg: 'error syncing repo, will retry', Err: text, Args: { failCount: failures } };
      try {
        await mkdir(dir, { recursive: true });
        await writeFilesAtomic(OWNER, dir, [[name, `${JSON.stringify(payload)}\n`]]);
      } catch (cause) {
        log.warn('Cannot write GITSYNC_ERROR_FILE', { path, error: cause });
      }
    },
    async synced() {
      try {
        await rm(path, { force: true });
      } catch (cause) {
        log.warn('Cannot remove GITSYNC_ERROR_FILE', { path, error: cause });
      }
    },
  };
}

import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { type Logger, writeFilesAtomic } from '@fortune-sidecar/common';
import { OWNER } from './publish.ts';

/** Enough for git's own message; a remote's endless answer must not fill the volume. */
export const MAX_ERROR_CHARS = 16 * 1024;

export interface ErrorFile {
  /** Replaces the file with this failure, redacted, in upstream's JSON form. */
  failed(error: string, failures: number): Promise<void>;
  /** Removes the file after a successful sync. */
  synced(): Promise<void>;
}

export function createErrorFile(path: string, redact: (text: string) => string, log: Logger): ErrorFile {
  const dir = dirname(path);
  return {
    async failed(error, failures) {
      let text = redact(error);
      if (text.length > MAX_ERROR_CHARS) text = `${text.slice(0, MAX_ERROR_CHARS)}… (cut)`;
      // Upstream's keys, so that what reads upstream's error file reads this one.
      const payload = { Msg: 'error syncing repo, will retry', Err: text, Args: { failCount: failures } };
      try {
        await mkdir(dir, { recursive: true });
        await writeFilesAtomic(OWNER, dir, [[basename(path), `${JSON.stringify(payload)}\n`]]);
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

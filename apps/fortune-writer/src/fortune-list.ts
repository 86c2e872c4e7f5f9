import type { Logger } from '@fortune-sidecar/common';
import { followFiles, readProblem, readSmallFile } from './followed-files.ts';

/** The largest list read: a ConfigMap holds at most 1 MiB, and a larger file is not a list of fortunes. */
export const FORTUNE_LIST_MAX_BYTES = 1024 * 1024;

/** One fortune per line; blank lines, lines starting with `#` and spaces around a line are left out. */
export function parseFortuneList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Reads a list of fortunes, or throws saying why it cannot be used (missing, unreadable, too large, empty). */
export function readFortuneList(path: string): string[] {
  let text: string;
  try {
    text = readSmallFile(path, FORTUNE_LIST_MAX_BYTES);
  } catch (error) {
    throw new Error(readProblem(error));
  }
  const fortunes = parseFortuneList(text);
  if (fortunes.length === 0) throw new Error('no fortunes in it');
  return fortunes;
}

export interface FortuneListFileOptions {
  readonly path: string;
  readonly log: Logger;
}

/** Says which list the writer uses: at start, and each time the file changes. */
export function logListInUse(log: Logger, fortunes: readonly string[], source: string): void {
  const count = fortunes.length === 1 ? '1 fortune' : `${fortunes.length} fortunes`;
  log.info(`Using ${count} from ${source}`, { fortunes: fortunes.length });
}

/**
 * The fortunes of a file that may change while the writer runs, such as one mounted from a
 * ConfigMap (followFiles says how a change is found). A version that cannot be used (missing,
 * unreadable, empty) keeps the last good list, with one warning per version.
 */
export function fortuneListFile(options: FortuneListFileOptions): () => readonly string[] {
  const { path, log } = options;
  return followFiles<readonly string[]>({
    paths: [path],
    read: () => readFortuneList(path),
    onRead: (fortunes) => logListInUse(log, fortunes, path),
    onUnusable: (reason, fortunes) =>
      log.warn(
        `${path} changed but cannot be used (${reason}); keeping the ${fortunes.length} fortunes read before`,
        { fortunes: fortunes.length },
      ),
  });
}

import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { FORTUNE_FILES, FORTUNE_WRITER_NAMES } from '@fortune-sidecar/common';

/**
 * How many unusable histories are kept beside the new one at most: a writer that finds one at
 * every start of a crash loop must not fill the volume with them. Past this it refuses to start.
 */
export const MAX_KEPT_HISTORIES = 3;

const PREFIX = FORTUNE_WRITER_NAMES.unreadableHistoryPrefix;

/**
 * Renames the folder's history to `history.json.unreadable-<time>`, never over another file,
 * and returns the new name. Throws, with what to do, when it cannot: the history then stays.
 */
export async function setHistoryAside(dir: string, now: Date): Promise<string> {
  const names = await readdir(dir);
  const kept = names.filter((name) => name.startsWith(PREFIX)).sort();
  if (kept.length >= MAX_KEPT_HISTORIES) {
    throw new Error(
      `${kept.length} unusable histories are already kept beside it (${kept.join(', ')}): ` +
        `move them out of ${dir}, then start the writer again`,
    );
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let name = `${PREFIX}${stamp}`;
  for (let n = 2; names.includes(name); n += 1) name = `${PREFIX}${stamp}-${n}`;
  try {
    await rename(join(dir, FORTUNE_FILES.history), join(dir, name));
  } catch (error) {
    throw new Error(`it could not be moved aside (${(error as Error).message})`);
  }
  return name;
}

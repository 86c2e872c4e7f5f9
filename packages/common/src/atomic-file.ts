import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempOf, tempName } from './volume.ts';

/**
 * Replaces `dir/name` whole: the data goes to a temporary file in the same folder, is flushed
 * to disk, then renamed over the old file. Readers see the old content or the new, never a
 * part; if anything fails (a full disk), the old file stays and the temporary one is removed.
 */
export async function writeFileAtomic(owner: string, dir: string, name: string, data: string): Promise<void> {
  const temp = join(dir, tempName(owner, name));
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, name));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Removes the temporary files an owner left behind when it was killed mid-write. */
export async function removeTempFiles(owner: string, dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => isTempOf(owner, name));
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true, recursive: true })));
  return names;
}

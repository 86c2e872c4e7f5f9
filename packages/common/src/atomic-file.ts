import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempOf, tempName } from './volume.ts';

/**
 * Replaces several files of `dir` as one change, as far as a folder allows: every new file is
 * written and flushed under a temporary name first, and only when all are on disk are they
 * renamed into place, in the order given. Readers see each file old or new, never a part of
 * one; a failure while writing (a full disk, a read-only folder) renames nothing, so the
 * folder keeps a consistent set of the old files. No temporary file outlives a failure.
 */
export async function writeFilesAtomic(
  owner: string,
  dir: string,
  files: ReadonlyArray<readonly [name: string, data: string]>,
): Promise<void> {
  const staged: [temp: string, name: string][] = [];
  let renamed = 0;
  try {
    for (const [name, data] of files) {
      const temp = join(dir, tempName(owner, name));
      staged.push([temp, name]);
      const file = await open(temp, 'wx', 0o644);
      try {
        await file.writeFile(data);
        await file.sync();
      } finally {
        await file.close();
      }
    }
    for (const [temp, name] of staged) {
      await rename(temp, join(dir, name));
      renamed += 1;
    }
  } catch (error) {
    await Promise.all(staged.slice(renamed).map(([temp]) => rm(temp, { force: true })));
    throw error;
  }
}

/** Removes the temporary files an owner left behind when it was killed mid-write. */
export async function removeTempFiles(owner: string, dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => isTempOf(owner, name));
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true, recursive: true })));
  return names;
}

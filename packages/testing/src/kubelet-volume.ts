import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';

/**
 * A folder laid out as the kubelet lays out a ConfigMap, Secret, downwardAPI or projected volume
 * (its AtomicWriter): each key is a link to `..data/<key>`, and `..data` a link to a timestamped
 * folder holding the contents. `publish` is the kubelet's update: a new timestamped folder, a new
 * `..data_tmp` link to it, renamed over `..data`, then the old folder removed. A key given as
 * `undefined` is left out of that folder, and its link points at nothing.
 */
export async function kubeletVolume(files: Readonly<Record<string, string | undefined>>) {
  const dir = await tempDir();
  let version = 0;
  let current: string | undefined;
  const publish = async (contents: Readonly<Record<string, string | undefined>>) => {
    version += 1;
    const folder = `..2026_11_30_01_00_0${version}.00000000${version}`;
    await mkdir(join(dir, folder));
    for (const [key, text] of Object.entries(contents)) {
      if (text !== undefined) await writeFile(join(dir, folder, key), text);
    }
    await symlink(folder, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    if (current) await rm(join(dir, current), { recursive: true });
    current = folder;
  };
  await publish(files);
  for (const key of Object.keys(files)) await symlink(`..data/${key}`, join(dir, key));
  return { dir, path: (key: string) => join(dir, key), publish };
}

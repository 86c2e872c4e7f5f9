import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@fortune-sidecar/testing';

/**
 * A folder laid out as the kubelet lays out a ConfigMap volume: `fortunes.txt` is a link to
 * `..data/fortunes.txt`, and `..data` a link to a timestamped folder holding the contents.
 * `publish` is the kubelet's update: a new timestamped folder, a new `..data_tmp` link to it,
 * renamed over `..data`, then the old folder removed.
 */
export async function configMapVolume(content: string | undefined) {
  const dir = await tempDir();
  let version = 0;
  let current: string | undefined;
  const publish = async (text: string | undefined) => {
    version += 1;
    const folder = `..2026_11_30_01_00_0${version}.00000000${version}`;
    await mkdir(join(dir, folder));
    if (text !== undefined) await writeFile(join(dir, folder, 'fortunes.txt'), text);
    await symlink(folder, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    if (current) await rm(join(dir, current), { recursive: true });
    current = folder;
  };
  await publish(content);
  await symlink('..data/fortunes.txt', join(dir, 'fortunes.txt'));
  return { dir, path: join(dir, 'fortunes.txt'), publish };
}

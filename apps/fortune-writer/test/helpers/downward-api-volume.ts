import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@fortune-sidecar/testing';

/** Labels or annotations as the kubelet writes them (fieldpath.FormatMap): sorted, Go-quoted, no last newline. */
export function formatPodMap(map: Record<string, string>): string {
  // JSON's escapes are Go's for these values: quotes, backslashes and control characters.
  return Object.keys(map)
    .sort()
    .map((key) => `${key}=${JSON.stringify(map[key])}`)
    .join('\n');
}

/**
 * A folder laid out as the kubelet lays out a downwardAPI volume with the items `labels` and
 * `annotations`: each a link into `..data`, itself a link to a timestamped folder. `publish` is
 * the kubelet's update after a `kubectl label`: a new folder, a new `..data_tmp` link to it,
 * renamed over `..data`, then the old folder removed. A file given as `undefined` is left out;
 * a name in `notFiles` is made a folder, which no reader can read as a file.
 */
export async function downwardApiVolume(files: PodFiles) {
  const dir = await tempDir();
  let version = 0;
  let current: string | undefined;
  const publish = async ({ labels, annotations, notFiles = [] }: PodFiles) => {
    version += 1;
    const folder = `..2026_11_30_02_00_0${version}.00000000${version}`;
    await mkdir(join(dir, folder));
    for (const [name, map] of [
      ['labels', labels],
      ['annotations', annotations],
    ] as const) {
      if (notFiles.includes(name)) await mkdir(join(dir, folder, name));
      else if (map !== undefined)
        await writeFile(join(dir, folder, name), typeof map === 'string' ? map : formatPodMap(map));
    }
    await symlink(folder, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    if (current) await rm(join(dir, current), { recursive: true });
    current = folder;
  };
  await publish(files);
  await symlink('..data/labels', join(dir, 'labels'));
  await symlink('..data/annotations', join(dir, 'annotations'));
  return { dir, publish };
}

export interface PodFiles {
  readonly labels?: Record<string, string> | string | undefined;
  readonly annotations?: Record<string, string> | string | undefined;
  readonly notFiles?: readonly ('labels' | 'annotations')[];
}

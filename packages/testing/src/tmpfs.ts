import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from './containers.ts';
import { tempDir } from './temp-dir.ts';

export interface SmallDisk {
  readonly path: string;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  /** Gives the disk a new size: more space, as when a volume is cleaned or grown. */
  resize(size: string): Promise<void>;
}

const mounted: string[] = [];
// Before the temporary folders are removed, which a mount point would keep busy.
process.prependListener('exit', () => {
  for (const path of mounted.reverse()) {
    try {
      execFileSync('umount', ['--lazy', path]);
    } catch {
      // Already gone.
    }
  }
});

/**
 * A tmpfs of `size` (such as 64k) mounted on a fresh folder: a disk that fills up, or turns
 * read-only, when a test says so. Unmounted when the test process ends. Needs root.
 */
export async function smallDisk(size: string): Promise<SmallDisk> {
  const path = join(await tempDir('fortune-disk-'), 'disk');
  await mkdir(path);
  await mustRun('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', path]);
  mounted.push(path);
  return {
    path,
    readOnly: async () => void (await mustRun('mount', ['-o', 'remount,ro', path])),
    writable: async () => void (await mustRun('mount', ['-o', 'remount,rw', path])),
    resize: async (newSize) => void (await mustRun('mount', ['-o', `remount,size=${newSize}`, path])),
  };
}

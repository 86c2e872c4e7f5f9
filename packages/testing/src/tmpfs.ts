import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { command, mustRun } from './containers.ts';
import { PATIENCE_MS } from './patience.ts';
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
 * Makes `path` read-only for every file operation from now on. A remount of the disk itself
 * would wait until no file on it is open for writing, which a service writing all the time may
 * never give; a read-only bind mount of it on top waits for none. The files a service has open
 * already stay writable until it closes them, as on a volume remounted read-only under a pod.
 */
async function readOnlyOnTop(path: string): Promise<void> {
  await mustRun('mount', ['--bind', path, path]);
  mounted.push(path);
  const patience = AbortSignal.timeout(PATIENCE_MS);
  for (;;) {
    // Busy only if a file was opened through the new mount before it turned read-only.
    const { code, stderr } = await command('mount', ['-o', 'remount,bind,ro', path]);
    if (code === 0) return;
    if (!/busy/.test(stderr) || patience.aborted)
      throw new Error(`mount -o remount,bind,ro ${path}: ${stderr}`);
  }
}

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
    readOnly: () => readOnlyOnTop(path),
    // The read-only mount on top goes; the disk below it was writable all along.
    writable: async () => {
      await mustRun('umount', ['--lazy', path]);
      mounted.splice(mounted.lastIndexOf(path), 1);
    },
    resize: async (newSize) => void (await mustRun('mount', ['-o', `remount,size=${newSize}`, path])),
  };
}

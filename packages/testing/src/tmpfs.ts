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
 * Remounts `path` read-only. The kernel refuses while a file on it is open for writing (a
 * service in the middle of a write): tried again until it lands between two writes.
 */
async function remountReadOnly(path: string): Promise<void> {
  const patience = AbortSignal.timeout(PATIENCE_MS);
  for (;;) {
    const { code, stderr } = await command('mount', ['-o', 'remount,ro', path]);
    if (code === 0) return;
    if (!/busy/.test(stderr) || patience.aborted) throw new Error(`mount -o remount,ro ${path}: ${stderr}`);
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
    readOnly: () => remountReadOnly(path),
    writable: async () => void (await mustRun('mount', ['-o', 'remount,rw', path])),
    resize: async (newSize) => void (await mustRun('mount', ['-o', `remount,size=${newSize}`, path])),
  };
}

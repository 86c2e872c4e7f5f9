import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@fortune-sidecar/testing';
import { startServerProcess } from './server-process.ts';

/** Resident memory of a process in MB, now and at its highest (VmRSS, VmHWM in /proc/<pid>/status). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => {
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
    if (kib === undefined) throw new Error(`no ${field} for process ${pid}`);
    return Number(kib) / 1024;
  };
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

/** How many inotify watches a process holds (Linux: one `inotify wd:` line in fdinfo each). */
export async function inotifyWatches(pid: number | 'self' = 'self'): Promise<number> {
  let total = 0;
  for (const fd of await readdir(`/proc/${pid}/fdinfo`)) {
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    total += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return total;
}

const idle = new Map<string, Promise<number>>();

/**
 * Resident memory in MB of the web server just started, with the same settings, on a site of one
 * file: the memory tests bound what a load adds to it, since each Node.js line starts at its own
 * size. Measured once per settings and test file.
 */
export function idleRss(env: Record<string, string> = {}): Promise<number> {
  const key = JSON.stringify(env);
  let measuring = idle.get(key);
  if (!measuring) {
    measuring = (async () => {
      const root = await tempDir();
      await writeFile(join(root, 'index.txt'), 'A fortune.\n');
      const { server } = await startServerProcess(root, env);
      const { rss } = await memoryOf(server.child.pid as number);
      await server.stop();
      return rss;
    })();
    idle.set(key, measuring);
  }
  return measuring;
}

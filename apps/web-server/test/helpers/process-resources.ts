import { readdir, readFile } from 'node:fs/promises';

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

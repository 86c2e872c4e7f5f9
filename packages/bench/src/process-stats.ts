import { readFile } from 'node:fs/promises';

export interface Memory {
  /** Resident set size now, in bytes. */
  readonly rss: number;
  /** The highest resident set size the process has had, in bytes. */
  readonly peak: number;
}

/** Reads VmRSS and VmHWM from a /proc/<pid>/status text. */
export function parseStatus(status: string): Memory {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

export async function memoryOf(pid: number): Promise<Memory> {
  return parseStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** The sorted sample's value at quantile q (0..1), by the nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

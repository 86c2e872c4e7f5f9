// How each CPU core spent its time, as /proc/stat counts it since boot: the difference of two
// readings says what share of a core went to work and what share the hypervisor took (steal).
import { readFile } from 'node:fs/promises';

/** Clock ticks one core spent working, idle, and stolen by the hypervisor. */
export interface CoreTimes {
  readonly work: number;
  readonly idle: number;
  readonly steal: number;
}

/** The per-core lines (`cpu0 …`) of a /proc/stat text, by core number. */
export function parseProcStat(text: string): Map<number, CoreTimes> {
  const cores = new Map<number, CoreTimes>();
  for (const [, core, fields] of text.matchAll(/^cpu(\d+)\s+(.*)$/gm)) {
    // guest and guest_nice, after steal, are already counted in user and nice.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (
      fields as string
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    // A core waiting for I/O could run something else: iowait counts as idle.
    cores.set(Number(core), { work: user + nice + system + irq + softirq, idle: idle + iowait, steal });
  }
  if (cores.size === 0) throw new Error('no per-core lines in /proc/stat');
  return cores;
}

export async function readCpuTimes(): Promise<Map<number, CoreTimes>> {
  return parseProcStat(await readFile('/proc/stat', 'utf8'));
}

/** Shares (0..1) of a core's time between two readings; each is the highest among the cores asked about. */
export interface CoreShares {
  readonly work: number;
  readonly steal: number;
}

export function busiestShares(
  before: ReadonlyMap<number, CoreTimes>,
  after: ReadonlyMap<number, CoreTimes>,
  cores: readonly number[],
): CoreShares {
  let work = 0;
  let steal = 0;
  for (const core of cores) {
    const start = before.get(core);
    const end = after.get(core);
    if (!start || !end) throw new Error(`no core ${core} in /proc/stat`);
    const spent = {
      work: end.work - start.work,
      idle: end.idle - start.idle,
      steal: end.steal - start.steal,
    };
    const total = spent.work + spent.idle + spent.steal;
    work = Math.max(work, spent.work / total);
    steal = Math.max(steal, spent.steal / total);
  }
  return { work, steal };
}

import { readdir, readFile } from 'node:fs/promises';

/** A process as /proc/<pid>/stat shows it. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, … and Z for a zombie: ended, waiting to be reaped. */
  readonly state: string;
  readonly command: string;
  /** Clock ticks after boot: with the pid, names one process even once the pid is reused. */
  readonly startTime: string;
}

async function readStat(pid: string): Promise<ProcessEntry | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (command) state ppid pgrp session …": the command may hold spaces and parentheses.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    pid: Number(pid),
    command: stat.slice(stat.indexOf('(') + 1, close),
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: fields[19] ?? '',
  };
}

/** Every process of this machine (of this PID namespace). */
export async function allProcesses(): Promise<ProcessEntry[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const entries = await Promise.all(pids.map(readStat));
  return entries.filter((entry) => entry !== undefined);
}

/** The processes `root` started, and the ones those started, and so on. */
export function descendantsOf(root: number, processes: readonly ProcessEntry[]): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  let parents = new Set([root]);
  while (parents.size > 0) {
    const children = processes.filter((entry) => parents.has(entry.ppid));
    found.push(...children);
    parents = new Set(children.map((entry) => entry.pid));
  }
  return found;
}

/** Whether that very process still runs: not ended, not a zombie, its pid not given to another. */
export async function isRunning(entry: ProcessEntry): Promise<boolean> {
  const now = await readStat(String(entry.pid));
  return now !== undefined && now.startTime === entry.startTime && now.state !== 'Z';
}

/**
 * Watches the processes that descend from `root` until `stop` is called, and returns every one
 * it saw. A process that is reparented after its parent ended stays in the list.
 */
export function watchDescendants(root: number): { stop(): Promise<ProcessEntry[]> } {
  const seen = new Map<string, ProcessEntry>();
  let watching = true;
  const done = (async () => {
    while (watching) {
      for (const entry of descendantsOf(root, await allProcesses()))
        seen.set(`${entry.pid}:${entry.startTime}`, entry);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      watching = false;
      await done;
      return [...seen.values()];
    },
  };
}

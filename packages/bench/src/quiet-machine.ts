// Whether the machine was quiet enough for figures that compare with another run's. Other
// processes, a hypervisor taking time from the VM, or a neighbour coming and going slow the
// servers unevenly, and the ratios with them: figures from a busy machine stay out of
// docs/benchmarks.md. The limits are explained there.
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { busiestShares, readCpuTimes } from './cpu-times.ts';
import { quantile } from './process-stats.ts';

export const LIMITS = {
  /** The 1-minute load average divided by the machine's cores. */
  loadPerCore: 0.25,
  /** Share of a bench core other processes took in the window before the run. */
  others: 0.05,
  /** Share of a bench core the hypervisor took (steal), before the run and during it. */
  steal: 0.02,
  /**
   * (max − min) / median of one server's requests/s over the three rounds around its median. An
   * idle 2-core VM gave up to 21.5%; a neighbour taking a quarter of the core for two rounds
   * gives more.
   */
  spread: 0.25,
} as const;

/** How long the cores are watched before the run. */
export const WINDOW_SECONDS = 3;

export interface BeforeRun {
  readonly loadAverage: number;
  readonly cores: number;
  /** Shares of the busiest bench core in the window before the run. */
  readonly others: number;
  readonly steal: number;
}

/** One server's requests/s for one path, a figure a round. */
export interface Rounds {
  readonly server: string;
  readonly path: string;
  readonly requestsPerSecond: readonly number[];
}

export interface Spread {
  readonly server: string;
  readonly path: string;
  readonly spread: number;
  /** The rounds' figures in the order they ran: a slow first round is warm-up, a slow later one a neighbour. */
  readonly rounds: readonly number[];
}

export interface DuringRun {
  /** Share of the busiest bench core the hypervisor took over the whole run. */
  readonly steal: number;
  readonly spread: Spread;
}

/**
 * The load average, and the bench cores watched for a few seconds while the bench does nothing:
 * all the work they do then is other processes'.
 */
export async function readBeforeRun(benchCores: readonly number[]): Promise<BeforeRun> {
  const start = await readCpuTimes();
  await sleep(WINDOW_SECONDS * 1000);
  const { work, steal } = busiestShares(start, await readCpuTimes(), benchCores);
  return { loadAverage: loadavg()[0] ?? 0, cores: cpus().length, others: work, steal };
}

/**
 * The server and path whose rounds differed most, relative to their median. With five rounds or
 * more the highest and the lowest are left out: even an idle VM loses a core to its host for a
 * moment now and then, which one round of five absorbs without moving the median, while a
 * neighbour that stays for a while still spreads the rounds around the median.
 */
export function widestSpread(series: readonly Rounds[]): Spread {
  let widest: Spread = { server: '', path: '', spread: 0, rounds: [] };
  for (const { server, path, requestsPerSecond } of series) {
    const sorted = [...requestsPerSecond].sort((a, b) => a - b);
    const middle = sorted.length >= 5 ? sorted.slice(1, -1) : sorted;
    const spread = ((middle.at(-1) ?? 0) - (middle[0] ?? 0)) / quantile(sorted, 0.5);
    if (spread > widest.spread) widest = { server, path, spread, rounds: requestsPerSecond };
  }
  return widest;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const limit = (share: number) => `${share * 100}%`;

/** Every reading over its limit, each as a sentence that names the reading, its value and the limit. */
export function overLimits(before: BeforeRun, during?: DuringRun): string[] {
  const findings: string[] = [];
  const loadPerCore = before.loadAverage / before.cores;
  if (loadPerCore > LIMITS.loadPerCore) {
    findings.push(
      `the 1-minute load average was ${before.loadAverage.toFixed(2)} on ${before.cores} cores (${loadPerCore.toFixed(2)} a core), over the limit of ${LIMITS.loadPerCore} a core`,
    );
  }
  if (before.others > LIMITS.others) {
    findings.push(
      `other processes took ${percent(before.others)} of a bench core in the ${WINDOW_SECONDS} s before the run, over the limit of ${limit(LIMITS.others)}`,
    );
  }
  if (before.steal > LIMITS.steal) {
    findings.push(
      `the hypervisor took ${percent(before.steal)} of a bench core (steal) in the ${WINDOW_SECONDS} s before the run, over the limit of ${limit(LIMITS.steal)}`,
    );
  }
  if (during && during.steal > LIMITS.steal) {
    findings.push(
      `the hypervisor took ${percent(during.steal)} of a bench core (steal) during the run, over the limit of ${limit(LIMITS.steal)}`,
    );
  }
  if (during && during.spread.spread > LIMITS.spread) {
    const { server, path, spread, rounds } = during.spread;
    const figures = rounds.map((r) => Math.round(r).toLocaleString('en')).join(', ');
    findings.push(
      `${server}'s requests/s for the ${path} differed by ${percent(spread)} of their median between rounds (${figures}, in the order they ran), over the limit of ${limit(LIMITS.spread)}`,
    );
  }
  return findings;
}

/** The readings in one sentence, so that a reader of the results can see the run was quiet. */
export function describeReadings(before: BeforeRun, during: DuringRun): string {
  const { server, path, spread } = during.spread;
  return `Readings of the machine (limits in brackets): 1-minute load average ${before.loadAverage.toFixed(2)} on ${before.cores} cores (${LIMITS.loadPerCore} a core); in the ${WINDOW_SECONDS} s before the run other processes took ${percent(before.others)} (${limit(LIMITS.others)}) and the hypervisor ${percent(before.steal)} (${limit(LIMITS.steal)}) of the busiest bench core; during the run the hypervisor took ${percent(during.steal)} (${limit(LIMITS.steal)}); the widest spread between rounds of one server was ${percent(spread)} (${limit(LIMITS.spread)})${server ? `, ${server}'s for the ${path}` : ''}.`;
}

/** The findings as a list, one a line. */
export const listFindings = (findings: readonly string[]) => findings.map((f) => `  - ${f}`).join('\n');

/** A run whose figures must not be written: what was over which limit, and what to do. */
export class BusyMachineError extends Error {
  readonly code = 'BENCH_BUSY_MACHINE';
  readonly hint =
    "Wait for a quiet machine (no builds, tests or other benchmarks running; the load average settles a minute or two after they stop), then run pnpm bench -- --write again. The figures printed above are not comparable with another run's.";

  constructor(readonly findings: readonly string[]) {
    super(`not writing docs/benchmarks.md: the machine was busy.\n${listFindings(findings)}`);
    this.name = 'BusyMachineError';
  }
}

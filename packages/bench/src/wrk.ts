import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx/3xx answers and socket errors: a run with any is not a fair measurement. */
  readonly errors: number;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: ${text}`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** Reads what `wrk --latency` prints. */
export function parseWrk(output: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  const total = /^\s+(\d+) requests in /m.exec(output);
  if (!rps || !p50 || !p99 || !total) throw new Error(`wrk printed no results:\n${output}`);
  const non2xx = Number(/^\s+Non-2xx or 3xx responses: (\d+)/m.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0;
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: milliseconds(p50[1] as string),
    p99Ms: milliseconds(p99[1] as string),
    requests: Number(total[1]),
    errors: non2xx + socketErrors,
  };
}

/** Runs wrk, with one thread on `core`, against `url` with keep-alive connections. */
export async function loadTest(
  url: string,
  { connections, seconds, core }: { connections: number; seconds: number; core: number },
): Promise<LoadResult> {
  const { stdout } = await run(
    'taskset',
    ['-c', String(core), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url],
    { maxBuffer: 1024 * 1024 },
  );
  return parseWrk(stdout);
}

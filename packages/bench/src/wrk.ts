import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Bytes wrk read, headers and bodies: what went over the wire to it, to its precision. */
  readonly bytesRead: number;
  /** Non-2xx/3xx answers and failed connects, reads and writes: a run with any is not a fair measurement. */
  readonly errors: number;
  /**
   * Requests with no answer within the client's timeout (wrk's is 2 s): a result, not a failure
   * of the measurement, since they are what a server under too much load makes its clients live.
   */
  readonly timeouts: number;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
// wrk prints sizes in units of 1,024.
const SIZES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

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
  const total = /^\s+(\d+) requests in [^,]+, ([\d.]+)(B|KB|MB|GB|TB) read/m.exec(output);
  if (!rps || !p50 || !p99 || !total) throw new Error(`wrk printed no results:\n${output}`);
  const non2xx = Number(/^\s+Non-2xx or 3xx responses: (\d+)/m.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1, 4).reduce((sum, count) => sum + Number(count), 0) : 0;
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: milliseconds(p50[1] as string),
    p99Ms: milliseconds(p99[1] as string),
    requests: Number(total[1]),
    bytesRead: Number(total[2]) * (SIZES[total[3] as string] as number),
    errors: non2xx + socketErrors,
    timeouts: Number(socket?.[4] ?? 0),
  };
}

/** Runs wrk, with one thread on `core`, against `url` with keep-alive connections. */
export async function loadTest(
  url: string,
  {
    connections,
    seconds,
    core,
    headers = {},
  }: { connections: number; seconds: number; core: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await run(
    'taskset',
    ['-c', String(core), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url],
    { maxBuffer: 1024 * 1024 },
  );
  return parseWrk(stdout);
}

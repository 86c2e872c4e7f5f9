import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { LoadResult } from './wrk.ts';

const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** What `autocannon --json` prints, the parts read here. */
interface AutocannonJson {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly throughput: { readonly total: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/** Reads what `autocannon --json` prints, in the terms wrk's results are read. */
export function parseAutocannon(output: string): LoadResult {
  const result = JSON.parse(output) as AutocannonJson;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    bytesRead: result.throughput.total,
    // autocannon counts its timeouts among its errors.
    errors: result.errors - result.timeouts + result.non2xx,
    timeouts: result.timeouts,
  };
}

/**
 * autocannon, a second load generator written in Node.js, with the same keep-alive connections
 * and 2 s timeout as wrk, on `core`: a tail that shows with both clients is the server's.
 */
export async function autocannonTest(
  url: string,
  { connections, seconds, core }: { connections: number; seconds: number; core: number },
): Promise<LoadResult> {
  const { stdout } = await run(
    'taskset',
    [
      '-c',
      String(core),
      process.execPath,
      AUTOCANNON,
      '--json',
      '--connections',
      String(connections),
      '--duration',
      String(seconds),
      '--timeout',
      '2',
      url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return parseAutocannon(stdout);
}

// Scale: requests/s from 1 to 1,000 connections, and the tail at 1,000 for every server, by two
// load generators. At 1,000 connections the latency users feel is the tail (docs/benchmarks.md,
// "The tail at 1,000 connections"), so each server's p99 and timeouts are reported beside its
// requests/s.
import { autocannonTest } from './autocannon.ts';
import type { Running } from './servers.ts';
import { type LoadResult, loadTest } from './wrk.ts';

/** Starts a server on the server core, ready to answer. */
export type Starter = () => Promise<Running>;

export interface ConnectionsRow {
  readonly connections: number;
  /** By server name, in the order of the starters. */
  readonly results: readonly LoadResult[];
}

export interface TailRow {
  readonly name: string;
  readonly wrk: LoadResult;
  /** Only for the servers `autocannonFor` names. */
  readonly autocannon?: LoadResult;
}

export interface ScaleResults {
  /** The servers of `byConnections`, in their order. */
  readonly names: readonly string[];
  readonly byConnections: readonly ConnectionsRow[];
  readonly tail: readonly TailRow[];
}

const CONNECTIONS = [1, 10, 100, 1000];
export const TAIL_CONNECTIONS = 1000;

/** Each server alone on the server core, one after the other. */
async function eachAlone<T>(starters: readonly Starter[], measure: (server: Running) => Promise<T>) {
  const results: T[] = [];
  for (const start of starters) {
    const server = await start();
    try {
      results.push(await measure(server));
    } finally {
      await server.stop();
    }
  }
  return results;
}

export async function measureScale(
  {
    byConnections,
    everyServer,
    autocannonFor,
  }: {
    /** The servers measured at each number of connections, this web server first. */
    byConnections: readonly Starter[];
    /** The servers measured at 1,000 connections. */
    everyServer: readonly Starter[];
    autocannonFor: readonly string[];
  },
  { seconds, core, say }: { seconds: number; core: number; say: (line: string) => void },
): Promise<ScaleResults> {
  const path = '/index.txt';
  const perServer = await eachAlone(byConnections, async (server) => {
    const results: LoadResult[] = [];
    for (const connections of CONNECTIONS) {
      say(`scale: ${server.name}, ${connections} connections`);
      results.push(await loadTest(`${server.url}${path}`, { connections, seconds, core }));
    }
    return { name: server.name, results };
  });
  const rows = CONNECTIONS.map((connections, index) => ({
    connections,
    results: perServer.map(({ results }) => results[index] as LoadResult),
  }));
  const tail = await eachAlone(everyServer, async (server) => {
    say(`tail: ${server.name}, ${TAIL_CONNECTIONS} connections`);
    const url = `${server.url}${path}`;
    // Warmed up first, as in the rounds: the tail measured is that of 1,000 new connections at
    // a server that runs, not of a just-started Node.js compiling its code.
    await loadTest(url, { connections: 50, seconds: 2, core });
    const wrk = await loadTest(url, { connections: TAIL_CONNECTIONS, seconds, core });
    if (!autocannonFor.includes(server.name)) return { name: server.name, wrk };
    const autocannon = await autocannonTest(url, { connections: TAIL_CONNECTIONS, seconds, core });
    return { name: server.name, wrk, autocannon };
  });
  return { names: perServer.map(({ name }) => name), byConnections: rows, tail };
}

const perSecond = (result: LoadResult) => Math.round(result.requestsPerSecond).toLocaleString('en');
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(0));

/** The two tables of the results page: requests/s by connections, and the tail at 1,000. */
export function scaleTables({ names, byConnections, tail }: ScaleResults, reference: string): string {
  const referenceIndex = names.indexOf(reference);
  const byConnectionsTable = [
    `| connections | ${names.join(' | ')} | this web server × ${reference} |`,
    `| --- | ${names.map(() => '---').join(' | ')} | --- |`,
    ...byConnections.map((row) => {
      const ours = row.results[0] as LoadResult;
      const other = row.results[referenceIndex] as LoadResult;
      return `| ${row.connections.toLocaleString('en')} | ${row.results.map(perSecond).join(' | ')} | ${(ours.requestsPerSecond / other.requestsPerSecond).toFixed(2)}× |`;
    }),
  ].join('\n');
  const withAutocannon = tail.filter((row) => row.autocannon);
  const tailTable = [
    '| server | req/s | p50 | p99 | timeouts |',
    '| --- | --- | --- | --- | --- |',
    ...tail.map(
      ({ name, wrk }) =>
        `| ${name} | ${perSecond(wrk)} | ${ms(wrk.p50Ms)} ms | ${ms(wrk.p99Ms)} ms | ${wrk.timeouts.toLocaleString('en')} |`,
    ),
  ].join('\n');
  const clientsTable = [
    '| server | client | req/s | p50 | p99 | timeouts |',
    '| --- | --- | --- | --- | --- | --- |',
    ...withAutocannon.flatMap(({ name, wrk, autocannon }) =>
      [
        ['wrk', wrk],
        ['autocannon', autocannon as LoadResult],
      ].map(
        ([client, result]) =>
          `| ${name} | ${client} | ${perSecond(result as LoadResult)} | ${ms((result as LoadResult).p50Ms)} ms | ${ms((result as LoadResult).p99Ms)} ms | ${(result as LoadResult).timeouts.toLocaleString('en')} |`,
      ),
    ),
  ].join('\n');
  return `Requests/s for /index.txt by number of keep-alive connections, each server alone:

${byConnectionsTable}

At ${TAIL_CONNECTIONS.toLocaleString('en')} connections, opened at once as wrk opens them, each server warmed up by 2 s at 50 connections first; timeouts are requests with no answer within 2 s:

${tailTable}

The same ${TAIL_CONNECTIONS.toLocaleString('en')} connections from a second client, autocannon (Node.js, one thread, on the same core as wrk; it is slower than wrk, so it loads the servers less):

${clientsTable}`;
}

// pnpm bench: the web server against nginx and the Node.js static servers users pick, in one run
// on this machine. Each server runs alone on core 0, wrk on core 1, against the same folder of the
// writer's real output. Prints a table of ratios and the targets; --write puts it in
// docs/benchmarks.md, unless the machine was too busy for figures that compare with another run's.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FORTUNE_FILES, writeFilesAtomic } from '@fortune-sidecar/common';
import { HEAP_OF_A_128MI_CONTAINER } from '@fortune-sidecar/testing';
import { benchGit } from './bench-git.ts';
import {
  type CompressedPageRow,
  measureCompressedPage,
  samplePage,
  sampleSiteRepo,
} from './compressed-page.ts';
import { busiestShares, readCpuTimes } from './cpu-times.ts';
import { largeSiteMemory, revisionSwaps, type StartServer, type SwapStalls } from './large-sites.ts';
import { memoryOf, quantile } from './process-stats.ts';
import {
  BusyMachineError,
  type DuringRun,
  describeReadings,
  listFindings,
  overLimits,
  readBeforeRun,
  WINDOW_SECONDS,
  widestSpread,
} from './quiet-machine.ts';
import { compressedPageTable, writeResults } from './results-page.ts';
import { measureScale, type ScaleResults, scaleTables, TAIL_CONNECTIONS } from './scale.ts';
import {
  REPO_ROOT,
  type Running,
  startBareNode,
  startExpressStatic,
  startFastifyStatic,
  startGitSync,
  startNginx,
  startSirv,
  startWebServer,
  startWriter,
} from './servers.ts';
import { type LoadResult, loadTest } from './wrk.ts';

const SERVER_CORE = 0;
const LOAD_CORE = 1;
const BENCH_CORES = [SERVER_CORE, LOAD_CORE];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const write = process.argv.includes('--write');
/** Only the compressed page, to try it: no quiet-machine readings, and figures for no page. */
const compressionOnly = process.argv.includes('--compression-only');
/** Only scale and the tail at 1,000 connections, to try them: no readings, no page written. */
const scaleOnly = process.argv.includes('--scale-only');

function requireTools() {
  const missing = ['nginx', 'wrk', 'taskset', 'git'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    console.error(
      `pnpm bench needs ${missing.join(', ')}: on Debian or Ubuntu, apt-get install nginx-light wrk util-linux git`,
    );
    process.exit(1);
  }
  try {
    execFileSync('taskset', ['-c', String(LOAD_CORE), 'true']);
  } catch {
    console.error(`pnpm bench needs two CPU cores (one for the servers, one for wrk)`);
    process.exit(1);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

const say = (line: string) => console.log(`[bench] ${line}`);
const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The writer's real output: the folder every server serves. */
async function writerOutput(dir: string): Promise<void> {
  const port = await freePort();
  const writer = await startWriter(dir, port, SERVER_CORE, { FORTUNE_INTERVAL: '1h' });
  await writer.stop();
}

/** Time from the rename of a new index.txt to the first answer that has it, `changes` times. */
async function freshness(server: Running, dir: string, changes: number, limitMs: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${server.url}/index.txt`);
  const get = () =>
    new Promise<string>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (response) => {
        let body = '';
        response
          .setEncoding('utf8')
          .on('data', (chunk) => (body += chunk))
          .on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
  const samples: number[] = [];
  for (let change = 0; change < changes; change += 1) {
    const marker = `change ${change} ${Math.random()}\n`;
    await writeFilesAtomic('fortune-writer', dir, [[FORTUNE_FILES.text, marker]]);
    const renamed = performance.now();
    while ((await get()) !== marker) {
      if (performance.now() - renamed > limitMs)
        throw new Error(`${server.name} never served change ${change}`);
    }
    samples.push(performance.now() - renamed);
    await sleep(10);
  }
  agent.destroy();
  return samples.sort((a, b) => a - b);
}

interface ServerResult {
  readonly name: string;
  readonly text: LoadResult;
  readonly html: LoadResult;
  /** Every round's results, whose spread tells whether the machine stayed quiet. */
  readonly rounds: { readonly text: readonly LoadResult[]; readonly html: readonly LoadResult[] };
  readonly idleRss: number;
  readonly loadedPeak: number;
  readonly freshness: number[];
}

const ROUNDS = 5;

/**
 * Starts every server at once (an idle server costs nothing) and measures them in turns, five
 * rounds of each, keeping each server's median round: a neighbour on a shared machine then
 * slows every server alike instead of whichever happened to run at that moment.
 */
/**
 * How each server's freshness is measured: nginx's open_file_cache serves a renamed file for up
 * to 30 s, so it gets a few changes and a limit past that; the ceiling serves what it read at
 * start, and has none.
 */
interface Freshness {
  readonly changes: number;
  readonly limitMs: number;
}
const FRESH: Freshness = { changes: 200, limitMs: 5000 };
const FRESH_WITHIN_30_S: Freshness = { changes: 5, limitMs: 35_000 };
const NOT_FRESH: Freshness = { changes: 0, limitMs: 0 };

async function measureAll(
  starters: readonly { start: () => Promise<Running>; fresh: Freshness }[],
  dir: string,
): Promise<ServerResult[]> {
  const servers: Running[] = [];
  try {
    for (const { start } of starters) servers.push(await start());
    await sleep(1000);
    const idle = await Promise.all(servers.map(async (server) => (await memoryOf(server.pid)).rss));
    const runs = servers.map(() => ({ text: [] as LoadResult[], html: [] as LoadResult[] }));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const [index, server] of servers.entries()) {
        say(`round ${round}/${ROUNDS}: ${server.name}, ${SECONDS} s per path, 50 connections`);
        const options = { connections: 50, seconds: SECONDS, core: LOAD_CORE };
        if (round === 1) await loadTest(`${server.url}/index.txt`, { ...options, seconds: 2 });
        runs[index]?.text.push(await loadTest(`${server.url}/index.txt`, options));
        runs[index]?.html.push(await loadTest(`${server.url}/index.html`, options));
      }
    }
    const median = (results: LoadResult[]) =>
      [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[
        Math.floor(results.length / 2)
      ] as LoadResult;
    const results: ServerResult[] = [];
    for (const [index, server] of servers.entries()) {
      const loadedPeak = (await memoryOf(server.pid)).peak;
      const { changes, limitMs } = starters[index]?.fresh ?? NOT_FRESH;
      if (changes > 0) say(`${server.name}: freshness over ${changes} changes`);
      const fresh = changes > 0 ? await freshness(server, dir, changes, limitMs) : [Number.NaN];
      await writerOutput(dir);
      const run = runs[index] as { text: LoadResult[]; html: LoadResult[] };
      results.push({
        name: server.name,
        text: median(run.text),
        html: median(run.html),
        rounds: run,
        idleRss: idle[index] ?? 0,
        loadedPeak,
        freshness: fresh,
      });
    }
    return results;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** Exec to ready, the median of five starts. */
async function startupTimes(dir: string, repo: string): Promise<Record<string, number>> {
  const times: Record<string, number[]> = { 'web-server': [], 'fortune-writer': [], 'git-sync': [] };
  for (let round = 0; round < 5; round += 1) {
    const port = await freePort();
    const web = await startWebServer(dir, port, SERVER_CORE);
    times['web-server']?.push(web.startupMs);
    await web.stop();
    const writerDir = await mkdtemp(join(tmpdir(), 'bench-writer-'));
    const writerPort = await freePort();
    const writer = await startWriter(writerDir, writerPort, SERVER_CORE);
    times['fortune-writer']?.push(writer.startupMs);
    await writer.stop();
    const syncRoot = await mkdtemp(join(tmpdir(), 'bench-sync-'));
    const syncPort = await freePort();
    const gitSync = await startGitSync(repo, syncRoot, syncPort, SERVER_CORE, { readyPath: '/healthz' });
    times['git-sync']?.push(gitSync.startupMs);
    await gitSync.stop();
    await rm(writerDir, { recursive: true, force: true });
    await rm(syncRoot, { recursive: true, force: true });
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, ms]) => [
      name,
      quantile(
        ms.sort((a, b) => a - b),
        0.5,
      ),
    ]),
  );
}

/** Idle memory of the writer and git-sync, after they have done their first work. */
async function idleMemory(repo: string): Promise<Record<string, number>> {
  const writerDir = await mkdtemp(join(tmpdir(), 'bench-writer-'));
  const syncRoot = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  const [writerPort, syncPort] = [await freePort(), await freePort()];
  const writer = await startWriter(writerDir, writerPort, SERVER_CORE, { FORTUNE_INTERVAL: '100ms' });
  const gitSync = await startGitSync(repo, syncRoot, syncPort, SERVER_CORE, {
    readyPath: '/readyz',
    env: { GITSYNC_PERIOD: '200ms' },
  });
  await sleep(3000);
  const result = {
    'fortune-writer': (await memoryOf(writer.pid)).rss,
    'git-sync': (await memoryOf(gitSync.pid)).rss,
  };
  await Promise.all([writer.stop(), gitSync.stop()]);
  await rm(writerDir, { recursive: true, force: true });
  await rm(syncRoot, { recursive: true, force: true });
  return result;
}

async function gitRepo(work: string): Promise<string> {
  const repo = join(work, 'site');
  await mkdir(repo, { recursive: true });
  const git = benchGit(repo);
  git('init', '--quiet', '--initial-branch=main');
  await writeFile(join(repo, 'index.txt'), 'a synced page\n');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'page');
  return repo;
}

/**
 * The sample page synced by git-sync, then served by this web server and by nginx with gzip on,
 * each alone on the server core.
 */
async function compressedPage(work: string): Promise<CompressedPageRow[]> {
  const repo = await sampleSiteRepo(work);
  const syncRoot = await mkdtemp(join(work, 'sample-sync-'));
  const gitSync = await startGitSync(repo, syncRoot, await freePort(), SERVER_CORE, { readyPath: '/readyz' });
  await gitSync.stop();
  return measureCompressedPage(
    join(syncRoot, 'html'),
    [
      { start: async (root) => startWebServer(root, await freePort(), SERVER_CORE), compresses: true },
      {
        start: async (root) =>
          startNginx(root, await freePort(), SERVER_CORE, join(work, 'nginx-gzip'), { gzip: true }),
        compresses: true,
      },
    ],
    { seconds: Math.max(1, Math.round(SECONDS / 2)), core: LOAD_CORE },
  );
}

const TUNED_NGINX = 'nginx, open_file_cache';

/** Every server of the tables, each to be started alone on the server core, serving `dir`. */
function serverStarters(dir: string, work: string) {
  const port = freePort;
  return {
    ours: { start: async () => startWebServer(dir, await port(), SERVER_CORE), fresh: FRESH },
    nginx: {
      start: async () => startNginx(dir, await port(), SERVER_CORE, join(work, 'nginx')),
      fresh: FRESH,
    },
    tunedNginx: {
      start: async () =>
        startNginx(dir, await port(), SERVER_CORE, join(work, 'nginx-tuned'), { openFileCache: true }),
      fresh: FRESH_WITHIN_30_S,
    },
    express: { start: async () => startExpressStatic(dir, await port(), SERVER_CORE), fresh: FRESH },
    sirv: { start: async () => startSirv(dir, await port(), SERVER_CORE), fresh: FRESH },
    fastify: { start: async () => startFastifyStatic(dir, await port(), SERVER_CORE), fresh: FRESH },
    bare: { start: async () => startBareNode(dir, await port(), SERVER_CORE), fresh: NOT_FRESH },
  };
}

/** Scale and the tail at 1,000 connections of every server; autocannon beside wrk for three. */
function scale(dir: string, work: string): Promise<ScaleResults> {
  const starters = serverStarters(dir, work);
  return measureScale(
    {
      byConnections: [starters.ours.start, starters.nginx.start, starters.tunedNginx.start],
      everyServer: Object.values(starters).map(({ start }) => start),
      autocannonFor: ['this web server', TUNED_NGINX, 'node:http from memory (ceiling)'],
    },
    { seconds: Math.max(3, Math.round(SECONDS / 2)), core: LOAD_CORE, say },
  );
}

/** Builds the services, then runs one part of the bench alone in a temporary folder: to try it. */
async function runPartAlone(part: (work: string) => Promise<void>): Promise<never> {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'pnpm.mjs'), 'run', '--silent', 'build'], {
    stdio: 'inherit',
  });
  const work = await mkdtemp(join(tmpdir(), 'fortune-bench-'));
  try {
    await part(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  process.exit();
}

requireTools();
if (scaleOnly) {
  await runPartAlone(async (work) => {
    const dir = join(work, 'htdocs');
    await mkdir(dir);
    await writerOutput(dir);
    const results = await scale(dir, work);
    console.log(`\n${scaleTables(results, TUNED_NGINX)}\n`);
  });
}
if (compressionOnly) {
  await runPartAlone(async (work) => {
    say('a page of a git-synced site, with and without Accept-Encoding');
    const rows = await compressedPage(work);
    console.log(`\n${compressedPageTable(rows)}\n`);
    process.exitCode = rows.some((row) => row.result.errors > 0) ? 1 : 0;
  });
}
// Before the build, whose own load would count against it.
say(
  `watching cores ${BENCH_CORES.join(' and ')} for ${WINDOW_SECONDS} s to see whether the machine is quiet`,
);
const before = await readBeforeRun(BENCH_CORES);
const busyBefore = overLimits(before);
if (busyBefore.length > 0) {
  say(
    `the machine is busy, so the figures will not be comparable with another run's${write ? ' and --write will not write them' : ''}:\n${listFindings(busyBefore)}`,
  );
}
execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'pnpm.mjs'), 'run', '--silent', 'build'], {
  stdio: 'inherit',
});
const work = await mkdtemp(join(tmpdir(), 'fortune-bench-'));
try {
  const dir = join(work, 'htdocs');
  await mkdir(dir);
  await writerOutput(dir);
  const repo = await gitRepo(work);
  const runStart = await readCpuTimes();

  const [ours, nginx, tunedNginx, express, sirv, fastifyStatic, bare] = (await measureAll(
    Object.values(serverStarters(dir, work)),
    dir,
  )) as [ServerResult, ServerResult, ServerResult, ServerResult, ServerResult, ServerResult, ServerResult];
  say('start-up times and idle memory of every service');
  const startup = await startupTimes(dir, repo);
  const idle = await idleMemory(repo);
  const scaled = await scale(dir, work);
  const startOnServerCore: StartServer = async (root, env) =>
    startWebServer(root, await freePort(), SERVER_CORE, env);
  say('memory with a site of 10,000 files');
  const large = await largeSiteMemory(work, startOnServerCore, HEAP_OF_A_128MI_CONTAINER);
  const largeOnHost = await largeSiteMemory(work, startOnServerCore);
  say('revision swaps of large sites');
  const swaps = await revisionSwaps(work, startOnServerCore);
  const [filesSwap] = swaps as [SwapStalls, SwapStalls];
  say('a page of a git-synced site, with and without Accept-Encoding');
  const pageRows = await compressedPage(work);

  const servers = [ours, nginx, tunedNginx, express, sirv, fastifyStatic, bare];
  const during: DuringRun = {
    steal: busiestShares(runStart, await readCpuTimes(), BENCH_CORES).steal,
    spread: widestSpread(
      servers.flatMap(({ name, rounds }) => [
        { server: name, path: 'text', requestsPerSecond: rounds.text.map((r) => r.requestsPerSecond) },
        { server: name, path: 'page', requestsPerSecond: rounds.html.map((r) => r.requestsPerSecond) },
      ]),
    ),
  };
  const busy = overLimits(before, during);
  const median = (result: ServerResult) => quantile(result.freshness, 0.5);
  const p99 = (result: ServerResult) => quantile(result.freshness, 0.99);
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])
    .toString()
    .trim();
  const tailOf = (name: string) => scaled.tail.find((row) => row.name === name)?.wrk as LoadResult;
  const [oursTail, tunedTail] = [tailOf('this web server'), tailOf(TUNED_NGINX)];
  const thousand = TAIL_CONNECTIONS.toLocaleString('en');
  const targets: [string, boolean, string][] = [
    [
      'requests/s ≥ 0.9× nginx (text)',
      ours.text.requestsPerSecond >= 0.9 * nginx.text.requestsPerSecond,
      ratio(ours.text.requestsPerSecond, nginx.text.requestsPerSecond),
    ],
    [
      'requests/s ≥ 0.9× nginx (page)',
      ours.html.requestsPerSecond >= 0.9 * nginx.html.requestsPerSecond,
      ratio(ours.html.requestsPerSecond, nginx.html.requestsPerSecond),
    ],
    [
      'requests/s ≥ 10× express.static (text)',
      ours.text.requestsPerSecond >= 10 * express.text.requestsPerSecond,
      ratio(ours.text.requestsPerSecond, express.text.requestsPerSecond),
    ],
    [
      'p99 latency ≤ 1.5× nginx (text)',
      ours.text.p99Ms <= 1.5 * nginx.text.p99Ms,
      ratio(ours.text.p99Ms, nginx.text.p99Ms),
    ],
    [
      `requests/s ≥ 0.8× ${TUNED_NGINX} (text)`,
      ours.text.requestsPerSecond >= 0.8 * tunedNginx.text.requestsPerSecond,
      ratio(ours.text.requestsPerSecond, tunedNginx.text.requestsPerSecond),
    ],
    [
      'requests/s ≥ 0.95× node:http from memory (text)',
      ours.text.requestsPerSecond >= 0.95 * bare.text.requestsPerSecond,
      ratio(ours.text.requestsPerSecond, bare.text.requestsPerSecond),
    ],
    [
      `p99 latency ≤ 1.5× ${TUNED_NGINX} (text)`,
      ours.text.p99Ms <= 1.5 * tunedNginx.text.p99Ms,
      ratio(ours.text.p99Ms, tunedNginx.text.p99Ms),
    ],
    [
      `requests/s at ${thousand} connections ≥ 0.8× ${TUNED_NGINX}`,
      oursTail.requestsPerSecond >= 0.8 * tunedTail.requestsPerSecond,
      ratio(oursTail.requestsPerSecond, tunedTail.requestsPerSecond),
    ],
    [
      `p99 latency at ${thousand} connections ≤ 3× ${TUNED_NGINX}`,
      oursTail.p99Ms <= 3 * tunedTail.p99Ms,
      ratio(oursTail.p99Ms, tunedTail.p99Ms),
    ],
    [`no timeouts at ${thousand} connections`, oursTail.timeouts === 0, `${oursTail.timeouts} timeouts`],
    ['freshness median ≤ 50 ms', median(ours) <= 50, `${median(ours).toFixed(1)} ms`],
    ['freshness p99 ≤ 200 ms', p99(ours) <= 200, `${p99(ours).toFixed(1)} ms`],
    ['web server idle RSS ≤ 60 MB', ours.idleRss <= 60e6, mb(ours.idleRss)],
    [
      'fortune-writer idle RSS ≤ 60 MB',
      (idle['fortune-writer'] ?? 0) <= 60e6,
      mb(idle['fortune-writer'] ?? 0),
    ],
    ['git-sync idle RSS ≤ 60 MB', (idle['git-sync'] ?? 0) <= 60e6, mb(idle['git-sync'] ?? 0)],
    ['web server peak RSS under load ≤ 100 MB', ours.loadedPeak <= 100e6, mb(ours.loadedPeak)],
    [
      'web server RSS after a 10,000-file site ≤ 100 MB (128Mi container heap)',
      large.rss <= 100e6,
      mb(large.rss),
    ],
    [
      `slowest answer during revision swaps of ${filesSwap.site} ≤ 100 ms`,
      filesSwap.slowestMs <= 100,
      `${filesSwap.slowestMs.toFixed(1)} ms`,
    ],
    ...Object.entries(startup).map(([name, ms]): [string, boolean, string] => [
      `${name} ready ≤ 300 ms after exec`,
      ms <= 300,
      `${ms.toFixed(0)} ms`,
    ]),
  ];
  const errors = [...servers.flatMap((s) => [s.text, s.html]), ...pageRows.map((row) => row.result)].reduce(
    (sum, r) => sum + r.errors,
    0,
  );

  const report = `${busy.length > 0 ? `**Not comparable: the machine was busy** (${busy.join('; ')}).\n\n` : ''}Measured on ${new Date().toISOString().slice(0, 10)}, ${cpu}, Node.js ${process.version}: the servers on core ${SERVER_CORE}, measured in turns, the median of ${ROUNDS} rounds each; wrk (one thread, 50 keep-alive connections, ${SECONDS} s) on core ${LOAD_CORE}; the same folder of the writer's output.${errors > 0 ? ` **${errors} failed requests: the run is not fair.**` : ''}

${describeReadings(before, during)}

| server | text req/s | text p50 | text p99 | page req/s | page p99 | idle RSS | peak RSS under load | fresh (median / p99) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${servers
  .map(
    (s) =>
      `| ${s.name} | ${Math.round(s.text.requestsPerSecond).toLocaleString('en')} | ${s.text.p50Ms.toFixed(2)} ms | ${s.text.p99Ms.toFixed(2)} ms | ${Math.round(s.html.requestsPerSecond).toLocaleString('en')} | ${s.html.p99Ms.toFixed(2)} ms | ${mb(s.idleRss)} | ${mb(s.loadedPeak)} | ${Number.isNaN(median(s)) ? '–' : `${median(s).toFixed(1)} / ${p99(s).toFixed(1)} ms`} |`,
  )
  .join('\n')}

Requests/s on the same core as a share of nginx's, plain and with \`open_file_cache\`, and of \`node:http\` answering from memory (the ceiling for any Node.js server):

| server | text × nginx | text × tuned nginx | text × node:http | page × nginx | page × tuned nginx | page × node:http |
| --- | --- | --- | --- | --- | --- | --- |
${servers
  .map(
    (s) =>
      `| ${s.name} | ${ratio(s.text.requestsPerSecond, nginx.text.requestsPerSecond)} | ${ratio(s.text.requestsPerSecond, tunedNginx.text.requestsPerSecond)} | ${ratio(s.text.requestsPerSecond, bare.text.requestsPerSecond)} | ${ratio(s.html.requestsPerSecond, nginx.html.requestsPerSecond)} | ${ratio(s.html.requestsPerSecond, tunedNginx.html.requestsPerSecond)} | ${ratio(s.html.requestsPerSecond, bare.html.requestsPerSecond)} |`,
  )
  .join('\n')}

| target | result | |
| --- | --- | --- |
${targets.map(([name, ok, value]) => `| ${name} | ${value} | ${ok ? 'met' : '**missed**'} |`).join('\n')}

${scaleTables(scaled, TUNED_NGINX)}

Memory of this web server after serving every file of a site of ${large.files.toLocaleString('en')} files: ${mb(large.rss)} RSS with the heap Node.js sizes for a 128Mi container, ${mb(largeOnHost.rss)} with this host's default heap.

Answers to one client asking for /index.html without pause while git-sync style revisions are swapped in, one a second:

| site | swaps | answers | p99 | slowest |
| --- | --- | --- | --- | --- |
${swaps.map((row) => `| ${row.site} | ${row.swaps} | ${row.answers.toLocaleString('en')} | ${row.p99Ms.toFixed(1)} ms | ${row.slowestMs.toFixed(1)} ms |`).join('\n')}

A page of a git-synced site (${Math.round(samplePage().html.length / 1024)} KB of HTML, ${Math.round(samplePage().css.length / 1024)} KB of CSS), asked for as a browser asks (\`Accept-Encoding: br, gzip\`) and without it, against nginx with \`gzip on\` (no brotli in Debian's nginx); bytes per response are headers and body as wrk read them:

${compressedPageTable(pageRows)}
`;
  console.log(`\n${report}`);
  let refused = false;
  if (write) {
    const path = join(REPO_ROOT, 'docs', 'benchmarks.md');
    try {
      await writeResults(path, report, busy);
      say(`wrote the results into ${path}`);
    } catch (error) {
      if (!(error instanceof BusyMachineError)) throw error;
      refused = true;
      say(`${error.message}\n${error.hint}`);
    }
  } else if (busy.length > 0) {
    say(
      `the machine was busy, so these figures are not comparable with another run's:\n${listFindings(busy)}`,
    );
  }
  process.exitCode = !refused && targets.every(([, ok]) => ok) && errors === 0 ? 0 : 1;
} finally {
  await rm(work, { recursive: true, force: true });
}

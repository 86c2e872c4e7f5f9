// Large sites: the web server's memory once it has served every file of one, and the slowest
// answer while git-sync swaps in a new revision of one.
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryOf, quantile } from './process-stats.ts';
import type { Running } from './servers.ts';

/** Starts the web server on a folder. */
export type StartServer = (root: string, env?: Record<string, string>) => Promise<Running>;

/** `folders` folders of `perFolder` entries each, made by `make`, and an index.html naming the site. */
async function makeSite(
  root: string,
  folders: number,
  perFolder: number,
  make: (folder: string, i: number) => Promise<unknown>,
): Promise<void> {
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'index.html'), `<p>${root}</p>\n`);
  for (let folder = 0; folder < folders; folder += 1) {
    await mkdir(join(root, `d${folder}`));
    for (let i = 0; i < perFolder; i += 1) await make(join(root, `d${folder}`), i);
  }
}

const page = (folder: string, i: number) =>
  writeFile(join(folder, `page-${i}.html`), `<p>page ${i}</p>\n`.repeat(20));
const pageFolder = async (folder: string, i: number) => {
  await mkdir(join(folder, `s${i}`));
  await writeFile(join(folder, `s${i}`, 'index.html'), `<p>${i}</p>\n`);
};

/** GETs over at most `connections` keep-alive connections; each resolves once its whole answer arrived. */
function getter(
  url: string,
  connections: number,
): { get: (path: string) => Promise<void>; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port } = new URL(url);
  const get = (path: string) =>
    new Promise<void>((resolve, reject) => {
      request({ host: hostname, port, path, agent }, (response) => {
        response.resume().on('end', () => resolve());
      })
        .on('error', reject)
        .end();
    });
  return { get, close: () => agent.destroy() };
}

/** RSS once every file of a site of 10,000 files (100 folders of 100) was asked for once. */
export async function largeSiteMemory(
  work: string,
  start: StartServer,
  env: Record<string, string> = {},
): Promise<{ files: number; rss: number }> {
  const root = join(work, 'large-site');
  await rm(root, { recursive: true, force: true });
  await makeSite(root, 100, 100, page);
  const server = await start(root, env);
  try {
    const { get, close } = getter(server.url, 8);
    for (let folder = 0; folder < 100; folder += 1) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => get(`/d${folder}/page-${i}.html`)));
    }
    close();
    return { files: 10_000, rss: (await memoryOf(server.pid)).rss };
  } finally {
    await server.stop();
  }
}

export interface SwapStalls {
  readonly site: string;
  readonly swaps: number;
  readonly answers: number;
  readonly p99Ms: number;
  readonly slowestMs: number;
}

/**
 * Swaps revisions of a large site in as git-sync does (a new link renamed over the served one)
 * while one client asks for the site's index all along, each answer awaited before the next:
 * the slowest answer is the longest the server stopped answering.
 */
async function swapStalls(
  work: string,
  start: StartServer,
  site: string,
  make: (revision: string) => Promise<void>,
  swaps: number,
): Promise<SwapStalls> {
  const base = join(work, 'swaps');
  await rm(base, { recursive: true, force: true });
  const revisions = ['one', 'two'];
  for (const revision of revisions) await make(join(base, '.gitsync', revision));
  await symlink('.gitsync/one', join(base, 'html'));
  const server = await start(join(base, 'html'));
  const { get, close } = getter(server.url, 1);
  const latencies: number[] = [];
  let asking = true;
  const client = (async () => {
    while (asking) {
      const started = performance.now();
      await get('/index.html');
      latencies.push(performance.now() - started);
    }
  })();
  try {
    await sleep(500);
    for (let swap = 1; swap <= swaps; swap += 1) {
      await symlink(`.gitsync/${revisions[swap % 2]}`, join(base, '.html.tmp'));
      await rename(join(base, '.html.tmp'), join(base, 'html'));
      // Long enough for the new revision to be watched and its index read again.
      await sleep(1000);
    }
  } finally {
    asking = false;
    await client;
    close();
    await server.stop();
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    site,
    swaps,
    answers: sorted.length,
    p99Ms: quantile(sorted, 0.99),
    slowestMs: sorted.at(-1) ?? 0,
  };
}

/** The slowest answer during revision swaps of a site of 20,000 files and of one of 30,000 folders. */
export async function revisionSwaps(work: string, start: StartServer, swaps = 10): Promise<SwapStalls[]> {
  return [
    await swapStalls(
      work,
      start,
      '20,000 files in 200 folders',
      (root) => makeSite(root, 200, 100, page),
      swaps,
    ),
    await swapStalls(work, start, '30,000 folders', (root) => makeSite(root, 30, 1000, pageFolder), swaps),
  ];
}

// The three services together under sustained load: 100,000 requests from several clients
// while the writer rewrites its files every 50 ms and git-sync swaps in a new revision of the
// site every few hundred milliseconds. Not one response may be empty, partial or mixed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, figures, httpGet, type ServiceProcess, startService } from '@fortune-sidecar/testing';
import fortunes from 'fortune-cookie';

const REQUESTS = 100_000;
const CLIENTS = 8;
// What the run must at least see for the figures to mean something; each run checks them.
const AT_LEAST = { rewrites: 100, swaps: 20 };

const tally = figures('under-load', {
  requests: 0,
  clients: CLIENTS,
  torn: 0,
  byPath: {} as Record<string, number>,
  writerRewrites: 0,
  gitSyncSwaps: 0,
  atLeast: AT_LEAST,
});

/** A revision of the site: every line of every file names it, so a mix of two shows. */
const revisionFile = (revision: number, file: string) => `${`revision ${revision} ${file}\n`.repeat(200)}`;

function wholeRevision(body: string, file: string): boolean {
  const lines = body.split('\n');
  const first = lines[0] ?? '';
  return (
    lines.length === 201 &&
    lines.at(-1) === '' &&
    new RegExp(`^revision \\d+ ${file}$`).test(first) &&
    lines.slice(0, -1).every((line) => line === first)
  );
}

/** What a whole answer looks like for each path the clients ask for. */
const CHECKS: Record<string, (body: string) => boolean> = {
  '/': (body) => body.endsWith('\n') && fortunes.includes(body.slice(0, -1)),
  '/index.html': (body) => /^<!doctype html>[\s\S]*<\/html>\n$/.test(body),
  '/history.json': (body) => {
    try {
      return (JSON.parse(body) as { fortunes: unknown[] }).fortunes.length > 0;
    } catch {
      return false;
    }
  },
  '/site/': (body) => wholeRevision(body, 'index.txt'),
  '/site/page.txt': (body) => wholeRevision(body, 'page.txt'),
};

/** How many lines of the service's output so far match `pattern`, read as they come. */
function outputCounter(service: ServiceProcess, pattern: RegExp): () => number {
  let read = 0;
  let count = 0;
  return () => {
    for (; read < service.output.length; read += 1) if (pattern.test(service.output[read] ?? '')) count += 1;
    return count;
  };
}

describe('the stack under load', () => {
  it(`answers ${REQUESTS.toLocaleString('en')} requests from ${CLIENTS} clients while the writer and git-sync keep changing the folder, every answer whole`, async () => {
    const stack = startService(
      'local-stack',
      {
        WEB_PORT: '0',
        LOG_FORMAT: 'text',
        FORTUNE_INTERVAL: '50ms',
        GITSYNC_PERIOD: '50ms',
        // No request meets it, however long a busy machine holds one back.
        WEB_REQUEST_TIMEOUT: '10m',
      },
      ['--git-sync'],
    );
    const [, address] = await stack.waitForOutput(/^\[stack\] The fortune is at (\S+)/);
    const [, repo = ''] = await stack.waitForOutput(
      /^\[stack\] The git-synced site is at \S+; commit in (\S+) to change it$/,
    );
    const url = new URL(address as string);
    const git = (...args: string[]) =>
      execFileSync('git', [
        '-C',
        repo,
        '-c',
        'user.name=load',
        '-c',
        'user.email=load@example.test',
        ...args,
      ]);
    const commit = (revision: number) => {
      for (const file of ['index.txt', 'page.txt'])
        writeFileSync(join(repo, file), revisionFile(revision, file));
      git('add', '--all');
      git('commit', '--quiet', '--message', `revision ${revision}`);
    };
    commit(0);
    await eventually(
      async () => (wholeRevision((await httpGet(url, '/site/')).body, 'index.txt') ? true : undefined),
      {
        what: 'the first revision served',
      },
    );

    let done = false;
    const pushing = (async () => {
      for (let revision = 1; !done; revision += 1) {
        commit(revision);
        await sleep(100);
      }
    })();

    const rewrites = outputCounter(stack, /^\[fortune-writer\] .*Writing fortune to/);
    const swaps = outputCounter(stack, /^\[git-sync\] .*Synced /);
    // However fast the clients go, the folder keeps changing under them: the requests go in as
    // many rounds as AT_LEAST has rewrites, and each round waits until the stack has made its
    // share of both kinds of change.
    const perRound = REQUESTS / AT_LEAST.rewrites;
    let round = { number: 0, changed: Promise.resolve<unknown>(true) };
    const changedFor = (request: number) => {
      const number = Math.floor(request / perRound) + 1;
      if (number > round.number) {
        const swapsBy = Math.ceil((number * AT_LEAST.swaps) / AT_LEAST.rewrites);
        round = {
          number,
          changed: eventually(() => (rewrites() >= number && swaps() >= swapsBy ? true : undefined), {
            what: `${number} rewrites and ${swapsBy} revisions swapped in`,
          }),
        };
      }
      return round.changed;
    };

    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const paths = Object.keys(CHECKS);
    let sent = 0;
    const torn: string[] = [];
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(
          { host: url.hostname, port: url.port, path, agent, headers: { accept: '*/*' } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            response.on('error', reject);
          },
        )
          .on('error', reject)
          .end();
      });
    const client = async () => {
      while (sent < REQUESTS) {
        const path = paths[sent % paths.length] as string;
        const changed = changedFor(sent);
        sent += 1;
        await changed;
        const { status, body } = await get(path);
        tally.requests += 1;
        tally.byPath[path] = (tally.byPath[path] ?? 0) + 1;
        if (status !== 200 || !CHECKS[path]?.(body)) {
          tally.torn += 1;
          if (torn.length < 5) torn.push(`${path} → ${status}: ${JSON.stringify(body.slice(0, 120))}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    done = true;
    await pushing;
    agent.destroy();

    tally.writerRewrites = rewrites();
    tally.gitSyncSwaps = swaps();
    await stack.stop('SIGINT');

    assert.equal(tally.requests, REQUESTS);
    assert.deepEqual(torn, [], `${tally.torn} answers were not whole`);
    assert.ok(tally.writerRewrites >= AT_LEAST.rewrites, `${tally.writerRewrites} rewrites`);
    assert.ok(tally.gitSyncSwaps >= AT_LEAST.swaps, `${tally.gitSyncSwaps} revisions swapped in`);
  });
});

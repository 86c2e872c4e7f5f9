import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompressedPageRow } from '../src/compressed-page.ts';
import { BusyMachineError } from '../src/quiet-machine.ts';
import { compressedPageTable, writeResults } from '../src/results-page.ts';
import type { LoadResult } from '../src/wrk.ts';

const PAGE = '# Benchmarks\n\nHow.\n\n<!-- results:start -->\nold figures\n<!-- results:end -->\n\nAfter.\n';

describe('the results page', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'results-page-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("puts a quiet run's report between the markers and keeps the rest of the page", async () => {
    const path = join(dir, 'quiet.md');
    await writeFile(path, PAGE);
    await writeResults(path, 'new figures, $1 and $& as written\n', []);
    assert.equal(
      await readFile(path, 'utf8'),
      '# Benchmarks\n\nHow.\n\n<!-- results:start -->\nnew figures, $1 and $& as written\n<!-- results:end -->\n\nAfter.\n',
    );
  });

  it('leaves the page as it was after a busy run, and says why', async () => {
    const path = join(dir, 'busy.md');
    await writeFile(path, PAGE);
    await assert.rejects(
      writeResults(path, 'busy figures\n', ['the 1-minute load average was 2.91 on 2 cores']),
      (error) => error instanceof BusyMachineError && /load average was 2\.91/.test(error.message),
    );
    assert.equal(await readFile(path, 'utf8'), PAGE);
  });
});

const load = (requestsPerSecond: number, bytesPerResponse: number): LoadResult => ({
  requestsPerSecond,
  p50Ms: 1,
  p99Ms: 2,
  requests: 1000,
  bytesRead: bytesPerResponse * 1000,
  errors: 0,
  timeouts: 0,
});

describe("the compressed page's table", () => {
  it('gives bytes per response and requests/s as a share of nginx for the same file and request', () => {
    const rows: CompressedPageRow[] = [
      {
        server: 'this web server',
        path: '/index.html',
        acceptEncoding: 'br, gzip',
        answered: 'br',
        result: load(30_000, 9_100.4),
      },
      {
        server: 'this web server',
        path: '/index.html',
        acceptEncoding: 'none',
        answered: 'identity',
        result: load(20_000, 40_300),
      },
      {
        server: 'nginx',
        path: '/index.html',
        acceptEncoding: 'br, gzip',
        answered: 'gzip',
        result: load(10_000, 11_000),
      },
      {
        server: 'nginx',
        path: '/index.html',
        acceptEncoding: 'none',
        answered: 'identity',
        result: load(40_000, 40_250),
      },
    ];
    assert.equal(
      compressedPageTable(rows),
      [
        '| server | file | Accept-Encoding | sent | req/s | bytes per response | req/s × nginx |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| this web server | /index.html | br, gzip | br | 30,000 | 9,100 | 3.00× |',
        '| this web server | /index.html | none | identity | 20,000 | 40,300 | 0.50× |',
        '| nginx | /index.html | br, gzip | gzip | 10,000 | 11,000 | 1.00× |',
        '| nginx | /index.html | none | identity | 40,000 | 40,250 | 1.00× |',
      ].join('\n'),
    );
  });
});

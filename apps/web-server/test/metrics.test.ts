// The web server's /metrics after real answers: what the fast path, the app and Node.js's
// parser answered, the cache's hits and misses, an open live-update stream, the watched folders.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LIVE_UPDATE_PATHS } from '@fortune-sidecar/common';
import {
  assertDocumentedOutput,
  httpGet,
  metricLines,
  metricValue,
  openEventStream,
  rawRequest,
  scrapeMetrics,
  tempDir,
} from '@fortune-sidecar/testing';
import { startServerProcess as startServer } from './helpers/server-process.ts';

const SERIES = [
  'web_server_responses_total{class="2xx"}',
  'web_server_responses_total{class="3xx"}',
  'web_server_responses_total{class="4xx"}',
  'web_server_responses_total{class="5xx"}',
  'web_server_cache_hits_total',
  'web_server_cache_misses_total',
];

/** What each series grew by between two scrapes. */
function grewBy(before: string, after: string): Record<string, number> {
  return Object.fromEntries(
    SERIES.map((series) => [series, (metricValue(after, series) ?? 0) - (metricValue(before, series) ?? 0)]),
  );
}

describe('web-server /metrics', () => {
  it('counts answers by status class, cache hits and misses, and shows the open streams and watched folders', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'page.txt'), 'a page\n');
    await mkdir(join(root, 'sub'));
    const { url } = await startServer(root);
    const before = await scrapeMetrics(url);

    const first = await httpGet(url, '/page.txt'); // a miss: read from disk, then cached
    assert.equal(first.status, 200);
    assert.equal((await httpGet(url, '/page.txt')).status, 200); // a hit, in the fast path
    const etag = String(first.headers.etag);
    const unchanged = await httpGet(url, '/page.txt', { headers: { 'if-none-match': etag } });
    assert.equal(unchanged.status, 304); // a hit too
    assert.equal((await httpGet(url, '/missing.txt')).status, 404); // a miss: 404s are never cached
    // Refused by Node.js's parser before the app sees it.
    const malformed = await rawRequest(Number(url.port), 'GET / HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n');
    assert.equal(malformed.status, 400);
    const events = await openEventStream(url, LIVE_UPDATE_PATHS.events);

    const after = await scrapeMetrics(url);
    events.close();
    assert.deepEqual(grewBy(before, after), {
      // The first scrape's own answer, two pages, and the live-update stream.
      'web_server_responses_total{class="2xx"}': 4,
      'web_server_responses_total{class="3xx"}': 1,
      'web_server_responses_total{class="4xx"}': 2,
      'web_server_responses_total{class="5xx"}': 0,
      web_server_cache_hits_total: 2,
      web_server_cache_misses_total: 2,
    });
    assert.equal(metricValue(after, 'web_server_live_update_streams'), 1);
    assert.equal(metricValue(after, 'web_server_watched_folders'), 2, 'the folder and sub');
    assert.ok(metricValue(after, 'process_open_fds') !== undefined, 'the descriptors in use');
    assertDocumentedOutput('web-server-metrics', metricLines(after, 'web_server_'));
  });

  it('answers /metrics before the site, as it does the health paths', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'metrics'), 'a file of the site\n');
    const { url } = await startServer(root);
    const answer = await httpGet(url, '/metrics');
    assert.match(answer.body, /^# HELP /m);
    assert.equal(answer.headers['x-content-type-options'], 'nosniff', 'with the security headers');
  });
});

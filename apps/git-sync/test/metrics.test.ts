// git-sync's /metrics after a sync that published a commit, syncs that found it published, and
// syncs that failed, against a real git daemon.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  assertDocumentedOutput,
  createOrigin,
  eventually,
  metricLines,
  metricValue,
  scrapeMetrics,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { gitDaemonForSuite } from './helpers/daemon.ts';
import { healthPort } from './helpers/health.ts';

const base = await tempDir('git-sync-metrics-');

describe('git-sync /metrics', () => {
  const daemon = gitDaemonForSuite(base);

  it('counts syncs by outcome as upstream git-sync does, the failures in a row, and the published revision', async () => {
    const origin = await createOrigin(base, 'origin.git');
    const first = await origin.commit({ 'index.txt': 'first\n' });
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url('origin.git'),
      GITSYNC_ROOT: join(base, 'root'),
      GITSYNC_PERIOD: '100ms',
      GITSYNC_MAX_FAILURES: '-1',
      GITSYNC_HTTP_PORT: '0',
    });
    const url = `http://127.0.0.1:${await healthPort(gitSync)}/`;
    const value = async (series: string) => metricValue(await scrapeMetrics(url), series) ?? 0;
    await eventually(async () =>
      (await value('git_sync_count_total{status="noop"}')) >= 1 ? true : undefined,
    );
    // The repository gone from the server: every sync from now on fails, and the commit stays published.
    await rm(origin.bare, { recursive: true });
    const text = await eventually(async () => {
      const scraped = await scrapeMetrics(url);
      return (metricValue(scraped, 'git_sync_failures_in_a_row') ?? 0) >= 2 ? scraped : undefined;
    });
    assert.equal(metricValue(text, 'git_sync_count_total{status="success"}'), 1);
    assert.equal(metricValue(text, 'git_sync_duration_seconds_count{status="success"}'), 1);
    // upstream: sync_default_ref and others. The first sync only: the noop syncs and the failed
    // ones brought no commit to publish.
    assert.equal(metricValue(text, 'git_fetch_count_total'), 1);
    const errors = metricValue(text, 'git_sync_count_total{status="error"}') ?? 0;
    assert.ok(errors >= 2, `${errors} failed syncs counted`);
    assert.equal(metricValue(text, 'git_sync_duration_seconds_count{status="error"}'), errors);
    assert.ok((metricValue(text, 'git_sync_duration_seconds_sum{status="success"}') ?? 0) > 0);
    assert.equal(metricValue(text, `git_sync_published_revision{revision="${first}"}`), 1);
    assert.equal(
      metricLines(text, 'git_sync_published_revision{').split('\n').length,
      1,
      'one revision at a time',
    );
    assert.ok(metricValue(text, 'process_open_fds') !== undefined, 'the process metrics are there too');
    assertDocumentedOutput(
      'git-sync-metrics',
      metricLines(text, 'git_').replace(/[0-9a-f]{40}/, '0123456789abcdef0123456789abcdef01234567'),
    );
    await gitSync.stop('SIGTERM');
  });
});

// The writer's /metrics after real writes, and after writes refused by a read-only folder.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORTUNE_FILES, type FortuneHistory } from '@fortune-sidecar/common';
import {
  assertDocumentedOutput,
  eventually,
  metricLines,
  metricValue,
  scrapeMetrics,
  skipUnlessAvailable,
  smallDisk,
  startService,
} from '@fortune-sidecar/testing';

const needsMount = await skipUnlessAvailable(['tmpfs-mount']);

describe('fortune-writer /metrics', () => {
  it('counts writes and failed writes, and says when the last fortune was written', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('1m');
    const writer = startService('fortune-writer', {
      FORTUNE_DIR: disk.path,
      FORTUNE_INTERVAL: '100ms',
      FORTUNE_HTTP_PORT: '0',
    });
    const listening = new URL(String((await writer.waitForLog(/^Health endpoints on /)).url));
    const url = new URL(`http://127.0.0.1:${listening.port}/`);
    await eventually(async () =>
      (metricValue(await scrapeMetrics(url), 'fortune_writer_writes_total') ?? 0) >= 3 ? true : undefined,
    );
    await disk.readOnly();
    const text = await eventually(async () => {
      const scraped = await scrapeMetrics(url);
      return (metricValue(scraped, 'fortune_writer_failed_writes_total') ?? 0) >= 1 ? scraped : undefined;
    });
    assert.ok((metricValue(text, 'fortune_writer_writes_total') ?? 0) >= 3);
    // Nothing is written while the folder is read-only: the history's newest is the last write.
    const history = JSON.parse(
      await readFile(join(disk.path, FORTUNE_FILES.history), 'utf8'),
    ) as FortuneHistory;
    const newest = history.fortunes[0];
    assert.ok(newest);
    assert.equal(
      metricValue(text, 'fortune_writer_last_write_timestamp_seconds'),
      Date.parse(newest.writtenAt) / 1000,
    );
    assert.ok(metricValue(text, 'process_open_fds') !== undefined, 'the process metrics are there too');
    assertDocumentedOutput('fortune-writer-metrics', metricLines(text, 'fortune_writer_'));
    await writer.stop('SIGTERM');
    await disk.writable();
  });
});

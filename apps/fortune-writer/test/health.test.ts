import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { createFortuneWriter } from '../src/fortune-writer.ts';
import { writerHealth } from '../src/health.ts';

async function statusOfWriterThatWrote() {
  const writer = createFortuneWriter({
    dir: await tempDir(),
    history: [],
    historySize: 3,
    host: 'fortune',
    pickFortune: () => 'one',
    page: { variant: 'emptydir', reloadSeconds: 10 },
    log: createLogger({ format: 'text', write: () => {} }),
  });
  assert.equal(await writer.write(), true);
  return () => writer.status();
}

describe("the writer's health endpoints", () => {
  it('/healthz is alive and /readyz not ready while the writer starts', async () => {
    const health = writerHealth(
      () => undefined,
      () => undefined,
    );
    assert.deepEqual(await health.alive(), { ok: true, detail: 'alive' });
    assert.deepEqual(await health.ready(), { ok: false, detail: 'no fortune written yet' });
  });

  it('/readyz is ready once a fortune is written, while the schedule keeps up', async () => {
    const health = writerHealth(await statusOfWriterThatWrote(), () => undefined);
    assert.deepEqual(await health.ready(), { ok: true, detail: '1 fortunes written' });
  });

  it('/readyz is not ready, and says why, when the schedule is behind', async () => {
    const health = writerHealth(
      await statusOfWriterThatWrote(),
      () => 'no write for 31s, more than 3 periods of 10s',
    );
    assert.deepEqual(await health.ready(), {
      ok: false,
      detail: 'behind: no write for 31s, more than 3 periods of 10s',
    });
    assert.deepEqual(await health.alive(), { ok: true, detail: 'alive' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpGet } from '@fortune-sidecar/testing';
import { closeServer, startHealthServer } from '../src/health.ts';

describe('health endpoints', () => {
  it('answers /healthz and /readyz with 200 or 503 and the reason, and 404 elsewhere', async () => {
    let ready = false;
    const { server, url } = await startHealthServer(
      {
        alive: () => ({ ok: true, detail: 'alive' }),
        ready: async () => ({ ok: ready, detail: ready ? 'synced abc' : 'not synced yet' }),
      },
      0,
      '127.0.0.1',
    );
    try {
      assert.deepEqual(await httpGet(url, '/healthz').then((a) => [a.status, a.body]), [200, 'alive\n']);
      assert.deepEqual(await httpGet(url, '/readyz').then((a) => [a.status, a.body]), [
        503,
        'not synced yet\n',
      ]);
      ready = true;
      assert.deepEqual(await httpGet(url, '/readyz').then((a) => [a.status, a.body]), [200, 'synced abc\n']);
      assert.equal((await httpGet(url, '/metrics')).status, 404);
    } finally {
      await closeServer(server);
    }
  });

  it('answers 503 when a check itself fails', async () => {
    const { server, url } = await startHealthServer(
      {
        alive: () => ({ ok: true, detail: 'alive' }),
        ready: () => {
          throw new Error('disk gone');
        },
      },
      0,
      '127.0.0.1',
    );
    try {
      assert.deepEqual(await httpGet(url, '/readyz').then((a) => [a.status, a.body]), [
        503,
        'check failed: disk gone\n',
      ]);
    } finally {
      await closeServer(server);
    }
  });
});

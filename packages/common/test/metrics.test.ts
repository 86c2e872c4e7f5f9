import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpGet, metricValue, scrapeMetrics } from '@fortune-sidecar/testing';
import { closeServer, startHealthServer } from '../src/health.ts';
import { Counter, createMetrics } from '../src/metrics.ts';

const checks = {
  alive: () => ({ ok: true, detail: 'alive' }),
  ready: () => ({ ok: true, detail: 'ready' }),
};

describe('/metrics beside the health endpoints', () => {
  it('answers the registry in the Prometheus text format, the process metrics included', async () => {
    const registry = createMetrics();
    const sample = new Counter({ name: 'sample_total', help: 'A count', registers: [registry] });
    sample.inc(3);
    const { server, url } = await startHealthServer(checks, 0, '127.0.0.1', registry);
    try {
      const text = await scrapeMetrics(url);
      assert.equal(metricValue(text, 'sample_total'), 3);
      assert.ok((metricValue(text, 'process_open_fds') ?? 0) > 0, 'the descriptors in use');
      assert.equal((await httpGet(url, '/healthz')).status, 200);
      const elsewhere = await httpGet(url, '/other');
      assert.deepEqual(
        [elsewhere.status, elsewhere.body],
        [404, 'Not found: this port serves /healthz, /readyz and /metrics\n'],
      );
    } finally {
      await closeServer(server);
    }
  });

  it('keeps each registry to itself: two services in one process count apart', () => {
    const one = createMetrics();
    const other = createMetrics();
    new Counter({ name: 'sample_total', help: 'A count', registers: [one] });
    assert.equal(other.getSingleMetric('sample_total'), undefined);
  });
});

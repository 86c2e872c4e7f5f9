import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaleTables } from '../src/scale.ts';
import type { LoadResult } from '../src/wrk.ts';

const load = (requestsPerSecond: number, p99Ms = 1, timeouts = 0): LoadResult => ({
  requestsPerSecond,
  p50Ms: 0.5,
  p99Ms,
  requests: requestsPerSecond * 5,
  bytesRead: 0,
  errors: 0,
  timeouts,
});

const RESULTS = {
  names: ['this web server', 'nginx', 'nginx, open_file_cache'],
  byConnections: [
    { connections: 1, results: [load(10_000), load(12_000), load(12_500)] },
    { connections: 1000, results: [load(50_000), load(90_000), load(100_000)] },
  ],
  tail: [
    { name: 'this web server', wrk: load(50_000, 1050, 254), autocannon: load(8_000, 466) },
    { name: 'nginx', wrk: load(90_000, 15.4) },
    { name: 'nginx, open_file_cache', wrk: load(100_000, 14.8), autocannon: load(9_000, 120) },
  ],
};

describe('the scale tables', () => {
  const tables = scaleTables(RESULTS, 'nginx, open_file_cache');

  it('gives requests/s by connections for each server, and this web server as a share of the reference', () => {
    assert.match(
      tables,
      /\| connections \| this web server \| nginx \| nginx, open_file_cache \| this web server × nginx, open_file_cache \|/,
    );
    assert.match(tables, /\| 1 \| 10,000 \| 12,000 \| 12,500 \| 0\.80× \|/);
    assert.match(tables, /\| 1,000 \| 50,000 \| 90,000 \| 100,000 \| 0\.50× \|/);
  });

  it('gives every server its p99 and timeouts at 1,000 connections', () => {
    assert.match(tables, /\| this web server \| 50,000 \| 0\.50 ms \| 1050 ms \| 254 \|/);
    assert.match(tables, /\| nginx \| 90,000 \| 0\.50 ms \| 15 ms \| 0 \|/);
  });

  it('puts autocannon beside wrk for the servers it measured, and only those', () => {
    assert.match(
      tables,
      /\| this web server \| wrk \| 50,000 \| 0\.50 ms \| 1050 ms \| 254 \|\n\| this web server \| autocannon \| 8,000 \| 0\.50 ms \| 466 ms \| 0 \|/,
    );
    assert.doesNotMatch(tables, /\| nginx \| autocannon/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAutocannon } from '../src/autocannon.ts';

// The parts read of what autocannon 9 printed with --json for 1,000 connections over 3 s.
const OUTPUT = {
  requests: { average: 7877.34, mean: 7877.34, total: 23628, sent: 24628 },
  latency: { average: 132.38, p50: 91, p90: 285, p99: 466, max: 1093 },
  throughput: { average: 1283840, total: 3851364 },
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  duration: 3.46,
  connections: 1000,
};

describe('reading autocannon', () => {
  it('takes requests/s, the median and the 99th percentile in milliseconds, the requests and bytes', () => {
    assert.deepEqual(parseAutocannon(JSON.stringify(OUTPUT)), {
      requestsPerSecond: 7877.34,
      p50Ms: 91,
      p99Ms: 466,
      requests: 23628,
      bytesRead: 3851364,
      errors: 0,
      timeouts: 0,
    });
  });

  it('counts timeouts apart from the errors autocannon counts them among, and failed answers as errors', () => {
    const result = parseAutocannon(JSON.stringify({ ...OUTPUT, errors: 12, timeouts: 9, non2xx: 4 }));
    assert.equal(result.timeouts, 9);
    assert.equal(result.errors, 7);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWrk } from '../src/wrk.ts';

// What wrk 4.1 (Debian) prints with --latency.
const OUTPUT = `Running 10s test @ http://127.0.0.1:8080/index.txt
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   612.35us  201.27us   9.87ms   90.12%
    Req/Sec    81.93k     2.11k   84.50k    72.00%
  Latency Distribution
     50%  580.00us
     75%  640.00us
     90%  720.00us
     99%    1.32ms
  815328 requests in 10.00s, 180.11MB read
Requests/sec:  81532.41
Transfer/sec:     18.01MB
`;

describe('reading wrk', () => {
  it('takes requests/s, the median and the 99th percentile in milliseconds, and the request count', () => {
    assert.deepEqual(parseWrk(OUTPUT), {
      requestsPerSecond: 81532.41,
      p50Ms: 0.58,
      p99Ms: 1.32,
      requests: 815328,
      bytesRead: 180.11 * 1024 * 1024,
      errors: 0,
      timeouts: 0,
    });
  });

  it('counts failed answers and socket errors, which make a run unfair, and timeouts apart', () => {
    const failing = OUTPUT.replace(
      'Requests/sec',
      '  Socket errors: connect 1, read 3, write 4, timeout 2\n  Non-2xx or 3xx responses: 7\nRequests/sec',
    );
    assert.equal(parseWrk(failing).errors, 15);
    assert.equal(parseWrk(failing).timeouts, 2);
  });

  it('reads the bytes read in any unit wrk prints', () => {
    assert.equal(parseWrk(OUTPUT.replace('180.11MB read', '512.00KB read')).bytesRead, 512 * 1024);
    assert.equal(parseWrk(OUTPUT.replace('180.11MB read', '1.50GB read')).bytesRead, 1.5 * 1024 ** 3);
  });

  it('reads latencies in seconds too', () => {
    assert.equal(parseWrk(OUTPUT.replace('1.32ms', '1.50s')).p99Ms, 1500);
  });

  it('refuses output without results, such as wrk failing to connect', () => {
    assert.throws(
      () => parseWrk('unable to connect to 127.0.0.1:8080 Connection refused\n'),
      /wrk printed no results/,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedCodings, codingsFor } from '../src/accept-encoding.ts';

describe('Accept-Encoding', () => {
  it('takes br before gzip when the client rates them alike, as browsers send them', () => {
    assert.deepEqual(acceptedCodings('gzip, deflate, br, zstd'), ['br', 'gzip']);
    assert.deepEqual(acceptedCodings('gzip;q=1.0, br;q=1'), ['br', 'gzip']);
  });

  it('orders by weight, and refuses a coding rated q=0', () => {
    assert.deepEqual(acceptedCodings('br;q=0.5, gzip'), ['gzip', 'br']);
    assert.deepEqual(acceptedCodings('br;q=0, gzip;q=0.3'), ['gzip']);
    assert.deepEqual(acceptedCodings('gzip;q=0.000'), []);
  });

  it('reads names without regard to case or spaces, and x-gzip as gzip', () => {
    assert.deepEqual(acceptedCodings(' GZIP ; Q=0.8 , Br '), ['br', 'gzip']);
    assert.deepEqual(acceptedCodings('x-gzip'), ['gzip']);
  });

  it('lets * stand for the codings it does not name', () => {
    assert.deepEqual(acceptedCodings('*'), ['br', 'gzip']);
    assert.deepEqual(acceptedCodings('gzip;q=0, *'), ['br']);
    assert.deepEqual(acceptedCodings('br, *;q=0'), ['br']);
  });

  it('sends the file as it is when the client rates identity above a coding', () => {
    assert.deepEqual(acceptedCodings('identity, gzip;q=0.5'), []);
    assert.deepEqual(acceptedCodings('identity;q=0.5, gzip;q=0.5, br;q=0.4'), ['gzip']);
  });

  it('answers identity (an empty list) when nothing it has is acceptable, even with identity;q=0', () => {
    assert.deepEqual(acceptedCodings(''), []);
    assert.deepEqual(acceptedCodings('identity'), []);
    assert.deepEqual(acceptedCodings('deflate, zstd'), []);
    assert.deepEqual(acceptedCodings('identity;q=0'), []);
    assert.deepEqual(acceptedCodings('zstd, *;q=0'), []);
    // identity refused, gzip accepted: gzip it is.
    assert.deepEqual(acceptedCodings('gzip, identity;q=0'), ['gzip']);
  });

  it('takes a malformed weight as a refusal rather than guessing', () => {
    assert.deepEqual(acceptedCodings('br;q=high, gzip;q=2'), []);
    assert.deepEqual(acceptedCodings('br;q=0.1234, gzip'), ['gzip']);
  });

  it('remembers each value it read', () => {
    assert.equal(codingsFor('gzip, br'), codingsFor('gzip, br'));
  });
});

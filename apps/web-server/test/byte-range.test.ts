import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteRange } from '../src/byte-range.ts';

describe('a Range header against a file of 100 bytes (RFC 9110 §14.1.2)', () => {
  const table: [string, ReturnType<typeof parseByteRange>][] = [
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=10-19', { start: 10, end: 19 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=99-', { start: 99, end: 99 }],
    ['bytes=90-1000', { start: 90, end: 99 }],
    ['bytes=90-99999999999999999999999', { start: 90, end: 99 }],
    ['bytes=-1', { start: 99, end: 99 }],
    ['bytes=-30', { start: 70, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    // The unit is case-insensitive; empty list members and whitespace around them are allowed.
    ['Bytes=1-2', { start: 1, end: 2 }],
    ['BYTES=1-2', { start: 1, end: 2 }],
    ['bytes=1-2,', { start: 1, end: 2 }],
    ['bytes= 1-2 ', { start: 1, end: 2 }],
    ['bytes=, 1-2', { start: 1, end: 2 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=100-200', 'unsatisfiable'],
    ['bytes=99999999999999999999-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=-000', 'unsatisfiable'],
    ['bytes=5-1', 'ignore'],
    ['bytes=-', 'ignore'],
    ['bytes=', 'ignore'],
    ['bytes=abc', 'ignore'],
    ['bytes=1-2-3', 'ignore'],
    ['bytes=+1-2', 'ignore'],
    ['bytes=1 -2', 'ignore'],
    ['bytes=0x10-', 'ignore'],
    ['bytes=1.5-2', 'ignore'],
    ['bytes 0-1', 'ignore'],
    ['bytes', 'ignore'],
    ['items=0-1', 'ignore'],
    ['=0-1', 'ignore'],
    ['', 'ignore'],
    // Several ranges, overlapping or not, get the whole file.
    ['bytes=0-1,3-4', 'ignore'],
    ['bytes=0-50,25-75', 'ignore'],
    ['bytes=0-0,-1', 'ignore'],
    ['bytes=200-300,400-', 'ignore'],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseByteRange(header, 100), expected);
    });
  }

  it('an empty file has no range to give', () => {
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-5', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-0', 0), 'unsatisfiable');
  });
});

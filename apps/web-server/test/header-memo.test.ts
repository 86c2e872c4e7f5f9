import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerMemo } from '../src/header-memo.ts';

describe('header memo', () => {
  it('reads each value once while it is remembered', () => {
    const read: string[] = [];
    const lengthOf = headerMemo((value) => {
      read.push(value);
      return value.length;
    });
    assert.equal(lengthOf('gzip, br'), 8);
    assert.equal(lengthOf('gzip, br'), 8);
    assert.deepEqual(read, ['gzip, br']);
  });

  it('forgets everything once it holds its limit, so new values cannot grow it without bound', () => {
    const read: string[] = [];
    const echo = headerMemo((value) => {
      read.push(value);
      return value;
    }, 2);
    for (const value of ['a', 'b', 'c', 'a']) echo(value);
    // 'c' found the memo full and emptied it, so 'a' was read again.
    assert.deepEqual(read, ['a', 'b', 'c', 'a']);
    echo('a');
    assert.equal(read.length, 4);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addToHistory, parseHistory, serializeHistory } from '../src/history.ts';

const at = (text: string) => ({ text, writtenAt: '2026-11-25T21:50:00.000Z', host: 'h' });

describe('fortune history', () => {
  it('keeps the newest first and at most the configured number', () => {
    const history = addToHistory([at('b'), at('a')], at('c'), 2);
    assert.deepEqual(
      history.map((entry) => entry.text),
      ['c', 'b'],
    );
  });

  it('reads back what it wrote', () => {
    assert.deepEqual(parseHistory(serializeHistory([at('x'), at('y')])), [at('x'), at('y')]);
  });

  const notHistories: [string, string, RegExp][] = [
    ['a damaged file', '{"format":1,"fortunes":[{"te', /^it is not JSON \(/],
    ['another format', '{"format":2,"fortunes":[]}', /^it is not a history of format 1$/],
    ['JSON of another kind', '["a", "b"]', /^it is not a history of format 1$/],
    ['no list of fortunes', '{"format":1}', /^it has no list of fortunes$/],
    [
      'an entry that is not a fortune',
      JSON.stringify({ format: 1, fortunes: [at('ok'), { text: 3 }] }),
      /^its entry 2 is not a fortune$/,
    ],
  ];
  for (const [what, text, reason] of notHistories) {
    it(`says why ${what} is not a history, rather than read part of it`, () => {
      assert.throws(() => parseHistory(text), { message: reason });
    });
  }
});

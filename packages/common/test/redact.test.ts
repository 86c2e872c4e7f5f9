import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, createRedactor } from '../src/index.ts';

describe('redacting secrets', () => {
  it('replaces every occurrence of every secret by ***', () => {
    const redact = createRedactor(['s3cret', 'token']);
    assert.equal(redact('user:s3cret@host token=token s3cret'), 'user:***@host ***=*** ***');
  });

  it('replaces a secret that contains another one whole', () => {
    assert.equal(createRedactor(['abc', 'abcdef'])('x abcdef y'), 'x *** y');
  });

  it('ignores empty secrets', () => {
    assert.equal(createRedactor([''])('nothing to hide'), 'nothing to hide');
  });

  it('keeps secrets out of log lines even where JSON escapes their quotes and backslashes', () => {
    const secret = 'pa"ss\\word';
    for (const format of ['json', 'text'] as const) {
      const lines: string[] = [];
      const log = createLogger({ format, secrets: [secret], write: (line) => lines.push(line) });
      log.error(`failed with ${secret}`, { error: new Error(`bad ${secret}`), detail: `quoted ${secret}` });
      assert.equal(lines.length, 1);
      assert.ok(!lines[0]?.includes('word'), `${format}: ${lines[0]}`);
    }
  });
});

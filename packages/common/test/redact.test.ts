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

  it('keeps a secret learned while the service runs out of the lines after it, in every form', () => {
    let secrets: readonly string[] = ['old-s3cret'];
    for (const format of ['json', 'text'] as const) {
      const lines: string[] = [];
      const log = createLogger({ format, secrets: () => secrets, write: (line) => lines.push(line) });
      log.info('before the rotation: old-s3cret');
      secrets = [...secrets, 'n3w"word'];
      log.info('after the rotation: old-s3cret n3w"word', { detail: 'n3w"word' });
      assert.deepEqual(
        lines.map((line) => line.includes('s3cret') || line.includes('word')),
        [false, false],
        `${format}: ${lines.join('\n')}`,
      );
      secrets = ['old-s3cret'];
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, type LoggerOptions } from '../src/log.ts';

function capture(options: Omit<LoggerOptions, 'write' | 'now'>) {
  const lines: string[] = [];
  const log = createLogger({
    ...options,
    write: (line) => lines.push(line),
    now: () => new Date(Date.UTC(2026, 10, 25, 21, 50)),
  });
  return { log, lines };
}

describe('logs', () => {
  it('writes one readable line per event with the time first, as the seed script did', () => {
    const { log, lines } = capture({ format: 'text' });
    log.info('Writing fortune to /var/htdocs/index.html');
    assert.deepEqual(lines, ['2026-11-25T21:50:00.000Z Writing fortune to /var/htdocs/index.html']);
  });

  it('marks warnings and errors and appends fields as key=value', () => {
    const { log, lines } = capture({ format: 'text' });
    log.error('Sync failed', { attempt: 2, error: new Error('connection refused') });
    assert.deepEqual(lines, [
      '2026-11-25T21:50:00.000Z ERROR Sync failed attempt=2 error="connection refused"',
    ]);
  });

  it('writes JSON objects when asked', () => {
    const { log, lines } = capture({ format: 'json' });
    log.warn('Slow', { ms: 12 });
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      time: '2026-11-25T21:50:00.000Z',
      level: 'warn',
      msg: 'Slow',
      ms: 12,
    });
  });

  it('never prints a secret, in either format', () => {
    for (const format of ['text', 'json'] as const) {
      const { log, lines } = capture({ format, secrets: ['hunter2'] });
      log.error('fetch https://me:hunter2@example.com failed', { url: 'https://me:hunter2@example.com' });
      assert.ok(!lines.join('').includes('hunter2'), lines.join(''));
      assert.match(lines.join(''), /me:\*\*\*@example\.com/);
    }
  });
});

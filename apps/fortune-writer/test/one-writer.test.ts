// One writer per folder: a second one on the same folder would overwrite the history with only
// its own fortunes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FortuneHistory } from '@fortune-sidecar/common';
import { eventually, resourceBounds, startService, tempDir } from '@fortune-sidecar/testing';
import { startOrRefuse } from './helpers/start-or-refuse.ts';

const bounds = resourceBounds('fortune-writer', import.meta.url);

const history = async (dir: string) =>
  (JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')) as FortuneHistory).fortunes;

describe('fortune-writer: one writer per folder', () => {
  it('a second writer on the same folder exits 1 with one line naming the first, which keeps its history', async () => {
    const dir = await tempDir();
    const first = startService('fortune-writer', {
      FORTUNE_DIR: dir,
      FORTUNE_INTERVAL: '100ms',
      POD_NAME: 'first',
    });
    await first.waitForLog('Writing a fortune every');
    await eventually(async () => ((await history(dir)).length >= 3 ? true : undefined), {
      what: 'three fortunes',
    });

    const second = await startOrRefuse({ FORTUNE_DIR: dir, POD_NAME: 'second' });
    const lines = second.lines.filter((line) => !line.startsWith('{'));
    assert.equal(second.exit?.code, 1, second.lines.join('\n'));
    assert.equal(lines.length, 1, `one line besides the log, not:\n${second.lines.join('\n')}`);
    assert.match(
      lines[0] ?? '',
      /^fortune-writer: \S+\/\.fortune-writer\.lock is held by fortune-writer \(pid \d+ on host .+, since .+\): .*stop the other one, or give each its own folder$/,
    );

    const newest = (await history(dir))[0]?.writtenAt;
    const later = await eventually(
      async () => {
        const fortunes = await history(dir);
        return fortunes[0]?.writtenAt !== newest ? fortunes : undefined;
      },
      { what: 'a fortune of the first writer after the second stopped' },
    );
    assert.deepEqual(new Set(later.map((fortune) => fortune.host)), new Set(['first']));
    bounds.push({
      tried: 'a second writer on the same folder',
      bound: 'exits 1 with one line naming the first; the first keeps its history',
      measured: `exit ${second.exit?.code}, ${lines.length} line; the history holds only the first's fortunes`,
    });
  });

  it('gives the folder up when stopped, so the next writer starts at once and goes on with the history', async () => {
    const dir = await tempDir();
    // Stopped between two writes, so that a write in progress on a busy machine cannot outlast
    // the time the writer gives itself to stop.
    const first = startService('fortune-writer', {
      FORTUNE_DIR: dir,
      POD_NAME: 'first',
      FORTUNE_INTERVAL: '1h',
    });
    await first.waitForLog('Writing a fortune every');
    assert.equal((await first.stop()).code, 0);
    const next = startService('fortune-writer', { FORTUNE_DIR: dir, POD_NAME: 'next' });
    await next.waitForLog('Writing a fortune every');
    assert.ok(!next.logs().some((line) => /lock/i.test(line.msg)), 'no lock to wait for');
    assert.deepEqual(
      (await history(dir)).map((fortune) => fortune.host),
      ['next', 'first'],
    );
  });
});

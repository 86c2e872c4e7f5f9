import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { addToHistory, readHistory, serializeHistory } from '../src/history.ts';

const at = (text: string) => ({ text, writtenAt: '2026-11-25T21:50:00.000Z', host: 'h' });

describe('fortune history', () => {
  it('keeps the newest first and at most the configured number', () => {
    const history = addToHistory([at('b'), at('a')], at('c'), 2);
    assert.deepEqual(
      history.map((entry) => entry.text),
      ['c', 'b'],
    );
  });

  it('reads back what it wrote', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'history.json'), serializeHistory([at('x'), at('y')]));
    assert.deepEqual(await readHistory(dir), { fortunes: [at('x'), at('y')] });
  });

  it('starts empty on a fresh volume', async () => {
    assert.deepEqual(await readHistory(await tempDir()), { fortunes: [] });
  });

  it('starts over, and says why, when the file is damaged', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'history.json'), '{"format":1,"fortunes":[{"te');
    const loaded = await readHistory(dir);
    assert.deepEqual(loaded.fortunes, []);
    assert.match(loaded.problem ?? '', /history\.json is not valid/);
  });

  it('drops entries that are not fortunes', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'history.json'),
      JSON.stringify({ format: 1, fortunes: [at('ok'), { text: 3 }, null] }),
    );
    assert.deepEqual((await readHistory(dir)).fortunes, [at('ok')]);
  });
});

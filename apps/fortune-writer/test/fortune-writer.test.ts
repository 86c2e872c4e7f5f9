import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger, type Fortune, type FortuneHistory } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { createFortuneWriter } from '../src/fortune-writer.ts';
import { loadHistory } from '../src/history-file.ts';

function writerIn(dir: string, texts = ['one', 'two', 'three', 'four'], history: readonly Fortune[] = []) {
  const lines: string[] = [];
  let next = 0;
  const writer = createFortuneWriter({
    dir,
    history,
    historySize: 3,
    host: 'fortune',
    node: 'agent-0',
    pickFortune: () => texts[next++ % texts.length] as string,
    page: { variant: 'emptydir', reloadSeconds: 10 },
    log: createLogger({
      format: 'text',
      write: (line) => lines.push(line),
      now: () => new Date('2026-11-25T21:50:00.000Z'),
    }),
    now: () => new Date('2026-11-25T21:50:00.000Z'),
  });
  return { writer, lines };
}

const read = (dir: string, name: string) => readFile(join(dir, name), 'utf8');

describe('fortune writer', () => {
  it('publishes the fortune as text, as a page with its stylesheet and in the history, and says so in one line', async () => {
    const dir = await tempDir();
    const { writer, lines } = writerIn(dir);
    assert.equal(await writer.write(), true);
    assert.equal(await read(dir, 'index.txt'), 'one\n');
    assert.match(await read(dir, 'index.html'), /<p>one<\/p>/);
    const history = JSON.parse(await read(dir, 'history.json')) as FortuneHistory;
    assert.deepEqual(history, {
      format: 1,
      fortunes: [{ text: 'one', writtenAt: '2026-11-25T21:50:00.000Z', host: 'fortune', node: 'agent-0' }],
    });
    assert.deepEqual(lines, [`2026-11-25T21:50:00.000Z Writing fortune to ${dir}/index.html`]);
    assert.match(await read(dir, 'style.css'), /prefers-color-scheme: dark/);
    assert.deepEqual((await readdir(dir)).sort(), ['history.json', 'index.html', 'index.txt', 'style.css']);
  });

  it('keeps a bounded history, newest first', async () => {
    const dir = await tempDir();
    const { writer } = writerIn(dir);
    for (let i = 0; i < 4; i += 1) await writer.write();
    const history = JSON.parse(await read(dir, 'history.json')) as FortuneHistory;
    assert.deepEqual(
      history.fortunes.map((f) => f.text),
      ['four', 'three', 'two'],
    );
  });

  it('continues the history a previous writer left, as a persistent volume would show', async () => {
    const dir = await tempDir();
    await writerIn(dir, ['from the old pod']).writer.write();
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line) });
    const { writer } = writerIn(dir, ['from the new pod'], await loadHistory({ dir, log }));
    await writer.write();
    const history = JSON.parse(await read(dir, 'history.json')) as FortuneHistory;
    assert.deepEqual(
      history.fortunes.map((f) => f.text),
      ['from the new pod', 'from the old pod'],
    );
    assert.match(lines.join('\n'), /Found 1 earlier fortunes/);
  });

  it('creates the folder again when it was removed, and writes into it the history it kept', async () => {
    const base = await tempDir();
    const dir = join(base, 'html');
    const { writer } = writerIn(dir);
    assert.equal(await writer.write(), true, 'a folder that does not exist yet is created');
    await rm(dir, { recursive: true });
    assert.equal(await writer.write(), true);
    assert.equal(await read(dir, 'index.txt'), 'two\n');
    const history = JSON.parse(await read(dir, 'history.json')) as { fortunes: { text: string }[] };
    assert.deepEqual(
      history.fortunes.map((fortune) => fortune.text),
      ['two', 'one'],
    );
  });

  it('leaves no temporary file behind when a write fails', async () => {
    const dir = await tempDir();
    const { writer } = writerIn(dir);
    // A folder in the way of the history file makes its rename fail, as a full disk fails a write.
    await mkdir(join(dir, 'history.json', 'in-the-way'), { recursive: true });
    assert.equal(await writer.write(), false);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
    );
  });
});

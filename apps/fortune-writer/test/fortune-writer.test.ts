import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger, type Fortune, type FortuneHistory, type VolumeFacts } from '@fortune-sidecar/common';
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
    assert.deepEqual((await readdir(dir)).sort(), [
      'history.json',
      'index.html',
      'index.txt',
      'style.css',
      'volume.json',
    ]);
    const volume = JSON.parse(await read(dir, 'volume.json')) as VolumeFacts;
    assert.equal(volume.seenAt, '2026-11-25T21:50:00.000Z');
    assert.match(await read(dir, 'index.html'), /<h2 id="volume-title">The volume, seen from inside<\/h2>/);
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

  it('says why a write failed when its volume is mounted read-only, and what to change', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    const writer = createFortuneWriter({
      dir,
      history: [],
      historySize: 3,
      host: 'fortune',
      pickFortune: () => 'one',
      page: { reloadSeconds: 10 },
      log: createLogger({ format: 'text', write: (line) => lines.push(line) }),
      readVolume: async (_dir, at) => ({
        format: 1,
        seenAt: at.toISOString(),
        mount: { point: '/var/htdocs', type: 'ext4', writable: false, folderIsMountPoint: true },
        space: null,
        folder: null,
        writerFiles: { count: 0, bytes: 0 },
        unknown: [],
      }),
    });
    // A folder in the way of the history makes the write fail, as the read-only mount would.
    await mkdir(join(dir, 'history.json', 'in-the-way'), { recursive: true });
    assert.equal(await writer.write(), false);
    assert.match(
      writer.status().lastError ?? '',
      /; the volume at \/var\/htdocs \(ext4\) is mounted read-only, so no file can be written in it: mount it read-write for the writer \(no readOnly: true on its volumeMount\)$/,
    );
    assert.match(lines.join('\n'), /Could not write fortune, keeping the last one: .*mounted read-only/);
  });
});

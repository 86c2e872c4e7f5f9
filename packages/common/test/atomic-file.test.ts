import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { removeTempFiles, writeFilesAtomic } from '../src/atomic-file.ts';
import { tempName } from '../src/volume.ts';

const writeFileAtomic = (owner: string, dir: string, name: string, data: string) =>
  writeFilesAtomic(owner, dir, [[name, data]]);

describe('atomic file replacement', () => {
  it('replaces the file whole and leaves no temporary file', async () => {
    const dir = await tempDir();
    await writeFileAtomic('fortune-writer', dir, 'index.txt', 'first\n');
    await writeFileAtomic('fortune-writer', dir, 'index.txt', 'second\n');
    assert.equal(await readFile(join(dir, 'index.txt'), 'utf8'), 'second\n');
    assert.deepEqual(await readdir(dir), ['index.txt']);
  });

  it('never shows a reader an empty or partial file while it is rewritten', async () => {
    const dir = await tempDir();
    const versions = Array.from(
      { length: 200 },
      (_, i) => `${String(i).padStart(3, '0')} ${'x'.repeat(20_000)}\n`,
    );
    await writeFileAtomic('fortune-writer', dir, 'index.txt', versions[0] as string);
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (writing) seen.add(await readFile(join(dir, 'index.txt'), 'utf8'));
    })();
    for (const version of versions) await writeFileAtomic('fortune-writer', dir, 'index.txt', version);
    writing = false;
    await reader;
    assert.ok(seen.size > 1, 'the reader saw several versions');
    for (const content of seen) assert.ok(versions.includes(content), `a torn read: ${content.length} bytes`);
  });

  it('keeps the old file and cleans up when the new one cannot be put in place', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'index.html'));
    await writeFile(join(dir, 'index.html', 'keep'), 'kept');
    await assert.rejects(writeFileAtomic('fortune-writer', dir, 'index.html', 'new'));
    assert.deepEqual(await readdir(dir), ['index.html']);
    assert.equal(await readFile(join(dir, 'index.html', 'keep'), 'utf8'), 'kept');
  });

  it('replaces several files as one change: when one cannot be written, none is replaced', async () => {
    const dir = await tempDir();
    await writeFilesAtomic('fortune-writer', dir, [
      ['index.txt', 'old text\n'],
      ['index.html', 'old page\n'],
    ]);
    await assert.rejects(
      writeFilesAtomic('fortune-writer', dir, [
        ['index.txt', 'new text\n'],
        ['index.html', 'new page\n'],
        [`${'x'.repeat(300)}.json`, 'a name too long for the folder'],
      ]),
      { code: 'ENAMETOOLONG' },
    );
    assert.equal(await readFile(join(dir, 'index.txt'), 'utf8'), 'old text\n');
    assert.equal(await readFile(join(dir, 'index.html'), 'utf8'), 'old page\n');
    assert.deepEqual((await readdir(dir)).sort(), ['index.html', 'index.txt']);
  });

  it('fails with the reason when the folder is gone', async () => {
    const dir = await tempDir();
    await assert.rejects(writeFileAtomic('fortune-writer', join(dir, 'missing'), 'index.txt', 'x'), {
      code: 'ENOENT',
    });
  });

  it('removes only the temporary files of its own owner after a crash', async () => {
    const dir = await tempDir();
    const mine = tempName('fortune-writer', 'index.html');
    const theirs = tempName('git-sync', 'html');
    for (const name of [mine, theirs, 'index.html']) await writeFile(join(dir, name), '');
    assert.deepEqual(await removeTempFiles('fortune-writer', dir), [mine]);
    assert.deepEqual((await readdir(dir)).sort(), [theirs, 'index.html'].sort());
  });
});

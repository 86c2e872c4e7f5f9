import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import {
  FORTUNE_LIST_MAX_BYTES,
  fortuneListFile,
  parseFortuneList,
  readFortuneList,
} from '../src/fortune-list.ts';
import { createFortunePicker } from '../src/pick-fortune.ts';
import { configMapVolume } from './helpers/configmap-volume.ts';

function pickerFor(path: string) {
  const lines: string[] = [];
  const log = createLogger({ format: 'text', write: (line) => lines.push(line), now: () => new Date(0) });
  const list = fortuneListFile({ path, log });
  let n = 0;
  // Steps through the list in turn, so that a few picks show every fortune of a short list.
  const pick = createFortunePicker(() => (n++ % 10) / 10, list);
  const picks = (count: number) => new Set(Array.from({ length: count }, pick));
  return { list, picks, lines };
}

describe('a list of fortunes from a file', () => {
  it('holds one fortune per line, without blank lines, # comments or surrounding spaces', () => {
    assert.deepEqual(parseFortuneList('# mine\nFirst.\r\n\n  Second.  \n'), ['First.', 'Second.']);
  });

  it('is refused at start when the file is missing or holds no fortune, saying which', async () => {
    const dir = await tempDir();
    assert.throws(() => readFortuneList(join(dir, 'none.txt')), /no such file/);
    await writeFile(join(dir, 'empty.txt'), '\n# nothing yet\n');
    assert.throws(() => readFortuneList(join(dir, 'empty.txt')), /no fortunes in it/);
    assert.throws(() => readFortuneList(dir), /not a file/);
    await writeFile(join(dir, 'huge.txt'), 'x'.repeat(FORTUNE_LIST_MAX_BYTES + 1));
    assert.throws(() => readFortuneList(join(dir, 'huge.txt')), /larger than 1 MiB/);
  });

  it('mounted from a ConfigMap: after the kubelet swaps ..data, the next fortunes come from the new list, and the log says so', async () => {
    const volume = await configMapVolume('Old one.\nOld two.\n');
    const { picks, lines } = pickerFor(volume.path);
    assert.deepEqual([...picks(4)].sort(), ['Old one.', 'Old two.']);
    await volume.publish('New one.\nNew two.\nNew three.\n');
    assert.deepEqual([...picks(10)].sort(), ['New one.', 'New three.', 'New two.']);
    assert.deepEqual(lines, [`1970-01-01T00:00:00.000Z Using 3 fortunes from ${volume.path} fortunes=3`]);
  });

  it('mounted with subPath, as a copy the kubelet never updates: the old list goes on after the ConfigMap changes', async () => {
    const volume = await configMapVolume('Old one.\nOld two.\n');
    const mounted = join(await tempDir(), 'fortunes.txt');
    await copyFile(volume.path, mounted);
    const { picks, lines } = pickerFor(mounted);
    await volume.publish('New one.\n');
    assert.deepEqual([...picks(10)].sort(), ['Old one.', 'Old two.']);
    assert.deepEqual(lines, []);
  });

  it('keeps the last good list when a new version is empty or missing, with one warning per version', async () => {
    const volume = await configMapVolume('Old one.\nOld two.\n');
    const { picks, lines } = pickerFor(volume.path);
    await volume.publish('\n');
    assert.deepEqual([...picks(10)].sort(), ['Old one.', 'Old two.']);
    await volume.publish(undefined);
    assert.deepEqual([...picks(10)].sort(), ['Old one.', 'Old two.']);
    assert.deepEqual(lines, [
      `1970-01-01T00:00:00.000Z WARN ${volume.path} changed but cannot be used (no fortunes in it); keeping the 2 fortunes read before fortunes=2`,
      `1970-01-01T00:00:00.000Z WARN ${volume.path} changed but cannot be used (no such file); keeping the 2 fortunes read before fortunes=2`,
    ]);
    await volume.publish('Fixed.\n');
    assert.deepEqual([...picks(3)], ['Fixed.']);
  });
});

import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { followFiles } from '../src/followed-files.ts';

/** Replaces the file by rename, as the kubelet and git-sync publish: a new inode at the same path. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

function follow(path: string, onFirstRead: () => void = () => {}) {
  const unusable: string[] = [];
  let reads = 0;
  const current = followFiles<string>({
    paths: [path],
    read: () => {
      const text = readFileSync(path, 'utf8');
      if (text === '') throw new Error('empty');
      if (reads++ === 0) onFirstRead();
      return text;
    },
    onRead: () => {},
    onUnusable: (reason, kept) => unusable.push(`${reason}, kept ${kept}`),
  });
  return { current, unusable, reads: () => reads };
}

describe('files followed while the writer runs', () => {
  it('are read once at start, and a first version that cannot be used throws', async () => {
    const path = join(await tempDir(), 'list');
    writeFileSync(path, '');
    assert.throws(() => follow(path), /empty/);
  });

  it('are read again only when they changed', async () => {
    const path = join(await tempDir(), 'list');
    writeFileSync(path, 'one');
    const { current, reads } = follow(path);
    assert.equal(current(), 'one');
    assert.equal(current(), 'one');
    assert.equal(reads(), 1);
    replace(path, 'two');
    assert.equal(current(), 'two');
    assert.equal(reads(), 2);
  });

  it('see a version published while the first one was being read', async () => {
    const path = join(await tempDir(), 'list');
    writeFileSync(path, 'old');
    const { current } = follow(path, () => replace(path, 'new'));
    assert.equal(current(), 'new');
  });

  it('keep the last good version when a new one cannot be used, and report it once', async () => {
    const path = join(await tempDir(), 'list');
    writeFileSync(path, 'good');
    const { current, unusable } = follow(path);
    replace(path, '');
    assert.equal(current(), 'good');
    assert.equal(current(), 'good');
    assert.deepEqual(unusable, ['empty, kept good']);
  });
});

// The writer as a process, and what its page and volume.json say of the volume it really got:
// a tmpfs of a given size, a plain folder given to a group as fsGroup does, a read-only mount.
import assert from 'node:assert/strict';
import { chmod, chown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORTUNE_FILES, type VolumeFacts } from '@fortune-sidecar/common';
import {
  eventually,
  httpGet,
  skipUnlessAvailable,
  smallDisk,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';

const needsMount = await skipUnlessAvailable(['tmpfs-mount']);

function startWriter(dir: string) {
  return startService('fortune-writer', {
    FORTUNE_DIR: dir,
    FORTUNE_INTERVAL: '200ms',
    FORTUNE_HTTP_PORT: '0',
  });
}

/** The page's text without its markup, as a reader sees it. */
const pageText = async (dir: string) =>
  (await readFile(join(dir, FORTUNE_FILES.page), 'utf8')).replace(/<[^>]+>/g, '');
const volumeJson = async (dir: string) =>
  JSON.parse(await readFile(join(dir, FORTUNE_FILES.volume), 'utf8')) as VolumeFacts;

describe('the volume, seen from inside, as the writer publishes it', () => {
  it('on a tmpfs of 16 MiB: the page says "tmpfs, 16 MiB", and volume.json the same for curl', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('16m');
    const writer = startWriter(disk.path);
    await writer.waitForLog(/^Writing a fortune every/);
    // The second write counts the files the first one left.
    const facts = await eventually(async () => {
      const read = await volumeJson(disk.path);
      return read.writerFiles.count > 0 ? read : undefined;
    });
    assert.equal(facts.mount?.type, 'tmpfs');
    assert.equal(facts.mount?.writable, true);
    assert.equal(facts.space?.size, 16 * 1024 * 1024);
    assert.equal(facts.writerFiles.count, 5);
    const shown = await pageText(disk.path);
    assert.match(shown, /Filesystemtmpfs, 16 MiB, mounted read-write on this folder/);
    assert.match(shown, /before this write, the writer's 5 files took \d/);
    await writer.stop();
  });

  it('on a plain folder given to group 1000 with the setgid bit, as fsGroup does: the page shows both', {
    skip: process.getuid?.() === 0 ? false : 'needs root to give the folder to group 1000',
  }, async () => {
    const dir = await tempDir();
    await chown(dir, 0, 1000);
    await chmod(dir, 0o2775);
    const writer = startWriter(dir);
    await writer.waitForLog(/^Writing a fortune every/);
    const shown = await pageText(dir);
    assert.match(shown, /Folderowner uid 0, group gid 1000, drwxrwsr-x \(2775\): setgid/);
    assert.deepEqual((await volumeJson(dir)).folder, { uid: 0, gid: 1000, mode: '2775' });
    await writer.stop();
  });

  it('on a read-only mount: the log and /readyz say the volume is mounted read-only and what to change; the page comes once it is writable', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('1m');
    await disk.readOnly();
    const writer = startWriter(disk.path);
    const { url } = await writer.waitForLog(/^Health endpoints on /);
    const logged = await writer.waitForLog(/^Cannot write into /);
    assert.match(
      logged.msg,
      /\(tmpfs\) is mounted read-only, so no file can be written in it: mount it read-write/,
    );
    assert.equal(logged.level, 'error');
    const ready = await httpGet(new URL(String(url)), '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.body, /no fortune written yet: the volume at \S+ \(tmpfs\) is mounted read-only/);

    await disk.writable();
    await writer.waitForLog(/^Writing a fortune every/);
    assert.match(await pageText(disk.path), /Filesystemtmpfs, 1 MiB, mounted read-write/);
    await writer.stop();
  });
});

// The writer as a process when its folder fails it: removed, read-only, full, or the writer
// killed mid-write. What is in the folder is always a whole, consistent set of files.
import assert from 'node:assert/strict';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FORTUNE_FILES, type FortuneHistory } from '@fortune-sidecar/common';
import {
  eventually,
  figures,
  httpGet,
  type ServiceProcess,
  skipUnlessAvailable,
  smallDisk,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';

const outcomes = figures('writer-faults', [] as { fault: string; outcome: string }[]);
const needsMount = await skipUnlessAvailable(['tmpfs-mount']);

async function startWriter(dir: string, interval = '100ms') {
  const writer = startService('fortune-writer', {
    FORTUNE_DIR: dir,
    FORTUNE_INTERVAL: interval,
    FORTUNE_HTTP_PORT: '0',
  });
  const { url } = await writer.waitForLog(/^Health endpoints on /);
  const health = new URL(String(url));
  await writer.waitForLog(/^Writing a fortune every/);
  return { writer, health };
}

/**
 * The fortune's three files, the text first and the history right after it: the writer renames
 * them in the other order, so even while it writes, the history read is no older than the text.
 */
async function published(dir: string) {
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  const text = await read(FORTUNE_FILES.text);
  const history = JSON.parse(await read(FORTUNE_FILES.history)) as FortuneHistory;
  return { text, history, page: await read(FORTUNE_FILES.page) };
}

type Published = Awaited<ReturnType<typeof published>>;

/** The files of one whole write, as a writer that cannot write leaves them. */
function assertConsistent(set: Published) {
  const newest = set.history.fortunes[0];
  assert.ok(newest, 'the history has the current fortune');
  assert.equal(set.text, `${newest.text}\n`, 'the text is the newest fortune of the history');
  assert.match(set.page, /<\/html>\n$/, 'the page is whole');
}

/** The files as a write cut off between two of its renames leaves them: one fortune apart, each whole. */
function assertWhole(set: Published) {
  assert.ok(
    set.history.fortunes.slice(0, 2).some((fortune) => set.text === `${fortune.text}\n`),
    'the text is a fortune of the history',
  );
  assert.match(set.page, /<\/html>\n$/, 'the page is whole');
}

/** A writer at work: its files, read between two of its writes, are one write's. */
const consistentWhileWriting = (dir: string) =>
  eventually(
    async () => {
      assertConsistent(await published(dir));
      return true;
    },
    { what: 'the files of one write' },
  );

/** How many log lines of the writer start with `start`. */
const logged = (writer: ServiceProcess, start: string) =>
  writer.logs().filter((line) => line.msg.startsWith(start)).length;

/** Resolves once the writer has logged `count` more lines that start with `start`. */
async function loggedMore(writer: ServiceProcess, start: string, count: number) {
  const since = logged(writer, start);
  await eventually(() => (logged(writer, start) >= since + count ? true : undefined), {
    what: `${count} more "${start}"`,
  });
}

const tempFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

/**
 * No temporary file outlives the write that made it: those there now, of a write in progress,
 * are gone once the next write has begun, since writes take turns.
 */
async function assertNoTempFileOutlivesItsWrite(writer: ServiceProcess, dir: string) {
  const now = await tempFiles(dir);
  await loggedMore(writer, 'Writing fortune to', 1);
  assert.deepEqual(
    (await tempFiles(dir)).filter((name) => now.includes(name)),
    [],
    'a write removes its temporary files, whether it fails or not',
  );
}

describe('fortune-writer when its folder fails it', () => {
  it('creates the folder again when it is removed, at the next write', async () => {
    const dir = join(await tempDir(), 'html');
    await startWriter(dir);
    await eventually(() => published(dir));
    // Moved aside in one step, then removed: a write meanwhile cannot put files back in it and
    // leave it not empty.
    await rename(dir, `${dir}.removed`);
    await rm(`${dir}.removed`, { recursive: true });
    await consistentWhileWriting(dir);
    outcomes.push({ fault: 'folder removed', outcome: 'created again at the next write' });
  });

  it('read-only: keeps the last fortune, says why on /readyz, and carries on once writable', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('1m');
    const { writer, health } = await startWriter(disk.path);
    await eventually(() => published(disk.path));
    await disk.readOnly();
    const failed = writer.output.length;
    await writer.waitForLog(/Could not write fortune, keeping the last one: EROFS/);
    const kept = await published(disk.path);
    // The folder may have turned read-only between two renames of a write.
    assertWhole(kept);
    await loggedMore(writer, 'Could not write fortune', 2);
    assert.deepEqual(await published(disk.path), kept, 'nothing changes while the folder is read-only');
    const ready = await httpGet(health, '/readyz');
    assert.equal(ready.status, 200, 'still serving the last fortune is not a reason to leave the Service');
    assert.match(ready.body, /last write failed: EROFS/);
    assert.match(ready.body, /\(tmpfs\) is mounted read-only, so no file can be written in it/, 'and why');
    assert.ok(writer.output.length > failed);

    await disk.writable();
    await eventually(async () => ((await published(disk.path)).text !== kept.text ? true : undefined), {
      what: 'a new fortune once the folder is writable',
    });
    await eventually(async () =>
      /fortunes written/.test((await httpGet(health, '/readyz')).body) ? true : undefined,
    );
    // Not the temporary files: those of a write the folder turned read-only under stay until the
    // next start, which removes them.
    await consistentWhileWriting(disk.path);
    outcomes.push({
      fault: 'folder read-only',
      outcome: 'last fortune kept, /readyz says why; recovered when writable',
    });
  });

  it('disk full: keeps the last fortune whole, leaves no temporary file, and carries on when space is back', {
    skip: needsMount,
  }, async () => {
    const disk = await smallDisk('64k');
    const { writer } = await startWriter(disk.path);
    await eventually(() => published(disk.path));
    // Fill what is left of the disk, as a full sizeLimit would.
    const filler = join(disk.path, 'filler');
    await writeFile(filler, '');
    for (;;) {
      try {
        await writeFile(filler, Buffer.alloc(4096), { flag: 'a' });
      } catch {
        break;
      }
    }
    await writer.waitForLog(/Could not write fortune, keeping the last one: ENOSPC/);
    // A full disk fails a write while it writes its temporary files, before any rename.
    const kept = await published(disk.path);
    assertConsistent(kept);
    await assertNoTempFileOutlivesItsWrite(writer, disk.path);

    await rm(filler);
    await eventually(async () => ((await published(disk.path)).text !== kept.text ? true : undefined), {
      what: 'a new fortune once there is space',
    });
    await consistentWhileWriting(disk.path);
    outcomes.push({
      fault: 'disk full',
      outcome: 'last fortune kept whole, no temporary file; recovered when space returned',
    });
  });

  it('killed with SIGKILL at random moments: the files are always whole, and the next start removes the temporary ones', async () => {
    const dir = await tempDir();
    let kills = 0;
    for (let round = 0; round < 25; round += 1) {
      const { writer } = await startWriter(dir, '10ms');
      await sleep(Math.random() * 100);
      await writer.stop('SIGKILL');
      kills += 1;
      assertWhole(await published(dir));
    }
    const { writer } = await startWriter(dir, '1h');
    assert.deepEqual(await tempFiles(dir), []);
    await writer.stop();
    assert.ok(kills === 25);
    outcomes.push({
      fault: `SIGKILL mid-write (${kills} times)`,
      outcome: 'every file always whole; the temporary files a kill left were removed at the next start',
    });
  });
});

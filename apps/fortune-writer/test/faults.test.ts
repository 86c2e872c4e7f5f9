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

/** The fortune's three files, read together; each must be whole, and they must agree with each other. */
async function published(dir: string) {
  const [text, page, history] = await Promise.all(
    [FORTUNE_FILES.text, FORTUNE_FILES.page, FORTUNE_FILES.history].map((name) =>
      readFile(join(dir, name), 'utf8'),
    ),
  );
  return { text: text ?? '', page: page ?? '', history: JSON.parse(history ?? '') as FortuneHistory };
}

type Published = Awaited<ReturnType<typeof published>>;

/** The files of one whole write: read them once the writer is stopped, or cannot write. */
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

/** How many writes the writer has said it could not make. */
const failedWrites = (writer: ServiceProcess) =>
  writer.logs().filter((line) => line.msg.startsWith('Could not write fortune')).length;

/** Resolves once the writer has failed `count` more writes than `since`. */
const moreFailedWrites = (writer: ServiceProcess, since: number, count: number) =>
  eventually(() => (failedWrites(writer) >= since + count ? true : undefined), {
    what: `${count} more failed writes`,
  });

/** Stops the writer, which ends the write in progress first: the files are then one write's. */
async function stopped(writer: ServiceProcess, dir: string): Promise<Published> {
  assert.equal((await writer.stop()).code, 0);
  return published(dir);
}

const tempFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.tmp'));

describe('fortune-writer when its folder fails it', () => {
  it('creates the folder again when it is removed, at the next write', async () => {
    const dir = join(await tempDir(), 'html');
    const { writer } = await startWriter(dir);
    await eventually(() => published(dir));
    // Moved aside in one step, then removed: a write meanwhile cannot put files back in it and
    // leave it not empty.
    await rename(dir, `${dir}.removed`);
    await rm(`${dir}.removed`, { recursive: true });
    await eventually(() => published(dir), { what: 'the folder and its files again' });
    assertConsistent(await stopped(writer, dir));
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
    await moreFailedWrites(writer, failedWrites(writer), 2);
    assert.deepEqual(await published(disk.path), kept, 'nothing changes while the folder is read-only');
    const ready = await httpGet(health, '/readyz');
    assert.equal(ready.status, 200, 'still serving the last fortune is not a reason to leave the Service');
    assert.match(ready.body, /last write failed: EROFS/);
    assert.ok(writer.output.length > failed);

    await disk.writable();
    await eventually(async () => ((await published(disk.path)).text !== kept.text ? true : undefined), {
      what: 'a new fortune once the folder is writable',
    });
    await eventually(async () =>
      /fortunes written/.test((await httpGet(health, '/readyz')).body) ? true : undefined,
    );
    assertConsistent(await stopped(writer, disk.path));
    assert.deepEqual(await tempFiles(disk.path), []);
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
    // Those of a write in progress now are gone once a write has failed since: writes take turns.
    const inProgress = await tempFiles(disk.path);
    await moreFailedWrites(writer, failedWrites(writer), 1);
    assert.deepEqual(
      (await tempFiles(disk.path)).filter((name) => inProgress.includes(name)),
      [],
      'a failed write removes its temporary files',
    );

    await rm(filler);
    await eventually(async () => ((await published(disk.path)).text !== kept.text ? true : undefined), {
      what: 'a new fortune once there is space',
    });
    assertConsistent(await stopped(writer, disk.path));
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

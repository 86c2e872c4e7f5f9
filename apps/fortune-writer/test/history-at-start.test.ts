// The writer as a process, and the history.json a previous writer (or anything else) left in its
// folder. What it cannot use it keeps aside; what it cannot read, it refuses to start on. Either
// way the file is never replaced.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FortuneHistory } from '@fortune-sidecar/common';
import { type RunAs, resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { serializeHistory } from '../src/history.ts';
import { startOrRefuse as startWriter } from './helpers/start-or-refuse.ts';

const bounds = resourceBounds('fortune-writer', import.meta.url);
const KEPT = /^history\.json\.unreadable-\d{8}T\d{6}Z(-\d+)?$/;

const startOrRefuse = (dir: string, user?: RunAs) =>
  startWriter({ FORTUNE_DIR: dir, FORTUNE_INTERVAL: '1h' }, user);

const keptNames = async (dir: string) => (await readdir(dir)).filter((name) => KEPT.test(name)).sort();

async function assertRefused(started: Awaited<ReturnType<typeof startOrRefuse>>, says: RegExp) {
  assert.equal(started.exit?.code, 1, `exit 1, not:\n${started.lines.join('\n')}`);
  assert.equal(started.lines.length, 1, `one line, not:\n${started.lines.join('\n')}`);
  assert.match(started.lines[0] ?? '', /^fortune-writer: /);
  assert.match(started.lines[0] ?? '', says);
  assert.match(started.lines[0] ?? '', /it was left as it is$/);
}

describe('fortune-writer and the history it finds at start', () => {
  const unusable: [string, string, RegExp][] = [
    ['history.json that is not JSON', '{"format":1,"fortunes":[{"te', /it is not JSON/],
    ['history.json of an unknown format', '{"format":2,"entries":[]}\n', /not a history of format 1/],
  ];
  for (const [what, content, reason] of unusable) {
    it(`keeps a ${what} as history.json.unreadable-<time>, and starts a new history`, async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'history.json'), content);
      const { writer } = await startOrRefuse(dir);
      const kept = await keptNames(dir);
      assert.equal(kept.length, 1, `one file kept aside, in ${(await readdir(dir)).join(', ')}`);
      assert.equal(await readFile(join(dir, kept[0] ?? ''), 'utf8'), content, 'kept byte for byte');
      const warning = await writer.waitForLog(`Kept history.json as ${kept[0]} and started a new history`);
      assert.match(String(warning.reason), reason);
      const history = JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')) as FortuneHistory;
      assert.equal(history.fortunes.length, 1, 'a new history, with the first fortune');
      bounds.push({
        tried: what,
        bound: 'kept as history.json.unreadable-…, a new history started',
        measured: `kept, ${kept.length} file`,
      });
    });
  }

  it('keeps at most 3 unusable histories across restarts, then refuses to start rather than replace the next', async () => {
    const dir = await tempDir();
    const starts = 5;
    let refused = 0;
    for (let start = 1; start <= starts; start += 1) {
      await writeFile(join(dir, 'history.json'), `not a history, #${start}`);
      const started = await startOrRefuse(dir);
      if (started.exit) {
        await assertRefused(started, /3 unusable histories are already kept beside it .*: move them out of /);
        refused += 1;
      } else {
        await started.writer.stop();
      }
    }
    const kept = await keptNames(dir);
    assert.equal(kept.length, 3);
    assert.deepEqual(await Promise.all(kept.map((name) => readFile(join(dir, name), 'utf8'))), [
      'not a history, #1',
      'not a history, #2',
      'not a history, #3',
    ]);
    assert.equal(refused, 2);
    assert.equal(await readFile(join(dir, 'history.json'), 'utf8'), `not a history, #${starts}`);
    bounds.push({
      tried: `an unusable history.json at each of ${starts} starts`,
      bound: 'at most 3 kept aside, then refused at start with exit 1 and one line; none replaced',
      measured: `${kept.length} kept, ${refused} refused`,
    });
  });

  it('refuses to start, with exit 1 and one line saying to chown, when it may not read the history', async () => {
    const dir = await tempDir();
    const path = join(dir, 'history.json');
    const content = serializeHistory([
      { text: 'Kept from the writer that ran as root.', writtenAt: '2026-11-25T21:50:00.000Z', host: 'old' },
    ]);
    await writeFile(path, content, { mode: 0o600 });
    // As after a move from a writer that ran as root to one that runs as uid 1000. Root reads
    // any file, so as root the writer runs as uid 1000; otherwise the file is made unreadable.
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? { uid: 1000, gid: 1000 } : undefined;
    if (user) await chown(dir, user.uid, user.gid);
    else await chmod(path, 0);
    const started = await startOrRefuse(dir, user);
    await assertRefused(
      started,
      /: permission denied \(.*\)\. Give the folder to the writer, e\.g\. chown -R \d+:\d+ /,
    );
    if (asRoot) assert.equal(await readFile(path, 'utf8'), content, 'the history is as it was');
    assert.equal((await lstat(path)).mode & 0o777, asRoot ? 0o600 : 0);
    bounds.push({
      tried: 'history.json the writer may not read (EACCES, as after a move from root to uid 1000)',
      bound: 'refused at start with exit 1 and one line saying to chown; the file left as it is',
      measured: `exit ${started.exit?.code}, file unchanged`,
    });
  });

  it('refuses to start on a history.json that is a FIFO, rather than wait for it forever', async () => {
    const dir = await tempDir();
    execFileSync('mkfifo', [join(dir, 'history.json')]);
    const started = await startOrRefuse(dir);
    await assertRefused(started, /history\.json is a FIFO \(named pipe\), not a file/);
    assert.ok((await lstat(join(dir, 'history.json'))).isFIFO(), 'the FIFO is still there');
    bounds.push({
      tried: 'history.json is a FIFO',
      bound: 'refused at start with exit 1 and one line; left as it is',
      measured: `exit ${started.exit?.code}, FIFO kept`,
    });
  });

  it('refuses to start on a folder named history.json, and leaves what is in it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'history.json'));
    await writeFile(join(dir, 'history.json', 'notes.txt'), 'mine');
    const started = await startOrRefuse(dir);
    await assertRefused(started, /history\.json is a folder, not a file/);
    assert.equal(await readFile(join(dir, 'history.json', 'notes.txt'), 'utf8'), 'mine');
    bounds.push({
      tried: 'history.json is a folder',
      bound: 'refused at start with exit 1 and one line; left as it is',
      measured: `exit ${started.exit?.code}, folder kept`,
    });
  });

  it('does not read a 272 MB history.json: keeps it aside, says why, and stays small', async () => {
    const dir = await tempDir();
    const path = join(dir, 'history.json');
    await writeFile(path, '');
    // Sparse: it takes no room on the disk, but reading it would take 272 MB and more.
    await truncate(path, 272 * 1024 * 1024);
    const { writer } = await startOrRefuse(dir);
    const peakMb = peakMemoryMb(writer.child.pid ?? 0);
    const kept = await keptNames(dir);
    assert.equal(kept.length, 1);
    assert.equal((await lstat(join(dir, kept[0] ?? ''))).size, 272 * 1024 * 1024, 'kept whole');
    const warning = await writer.waitForLog('Kept history.json as');
    assert.equal(warning.reason, 'it is 272 MB, more than the 4 MB a history can be');
    assert.ok(peakMb < 150, `peak memory ${peakMb} MB`);
    bounds.push({
      tried: 'a 272 MB history.json',
      bound: 'not read: kept as history.json.unreadable-…, peak memory under 150 MB',
      measured: `kept, ${peakMb} MB peak`,
    });
  });
});

/** The most memory the process has used so far (its peak resident set). */
function peakMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

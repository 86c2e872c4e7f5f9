// One git-sync per GITSYNC_ROOT: two would share one repository and its FETCH_HEAD, and the
// link of one would now and then point at the other's branch.
import assert from 'node:assert/strict';
import { access, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GIT_SYNC_LAYOUT } from '@fortune-sidecar/common';
import {
  createOrigin,
  freePort,
  type GitServer,
  type Origin,
  resourceBounds,
  type ServiceProcess,
  startGitDaemon,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';

const bounds = resourceBounds('git-sync', import.meta.url);
const base = await tempDir('git-sync-one-per-root-');

const isThere = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
/** What a process wrote that is not a JSON log line: what it says on stderr as it refuses to start. */
const plainLines = (service: ServiceProcess) =>
  service.output.filter((line) => line.trim() !== '' && !line.startsWith('{'));

describe('one git-sync per GITSYNC_ROOT', () => {
  let daemon: GitServer;
  let count = 0;
  before(async () => {
    daemon = await startGitDaemon(base);
  });
  after(() => daemon.stop());

  async function setUp(): Promise<{ origin: Origin; name: string; root: string; lock: string }> {
    count += 1;
    const name = `origin-${count}.git`;
    const origin = await createOrigin(base, name);
    await origin.commit({ 'index.txt': 'main\n' });
    const root = join(base, `root-${count}`);
    return { origin, name, root, lock: join(root, GIT_SYNC_LAYOUT.lock) };
  }
  const start = (env: Record<string, string>) =>
    startService('git-sync', { GITSYNC_PERIOD: '100ms', ...env });

  it('a second git-sync on the root of a running one exits 1 with one line naming it; the first keeps publishing', async () => {
    const { origin, name, root } = await setUp();
    await origin.commit({ 'index.txt': 'other\n' }, { branch: 'other' });
    const first = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_REF: 'main' });
    await first.waitForLog(/^Synced /);

    const second = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_REF: 'other' });
    await second.waitForOutput(/ is held by /);
    const exit = await second.exited;
    assert.deepEqual(exit, { code: 1, signal: null });
    const said = plainLines(second);
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(
      said[0] ?? '',
      new RegExp(`^git-sync: ${root}/\\.gitsync/lock is held by git-sync \\(pid ${first.child.pid} on host `),
    );

    const next = await origin.commit({ 'index.txt': 'main, later\n' });
    await first.waitForLog(`to ${next}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'main, later\n');
    bounds.push({
      tried: 'a second git-sync, for another branch, started on the root of a running one',
      bound: 'the second exits 1 with one line; the first keeps publishing its branch alone',
      measured: `exit code ${exit.code}, ${said.length} line: "${said[0]?.replace(root, '$GITSYNC_ROOT').replace(/\(pid .*$/, '(pid …)')}"`,
    });
  });

  it('leaves the root free when it stops: after a one-time sync, after SIGTERM, and after giving up', async () => {
    const { name, root, lock } = await setUp();
    const once = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root, GITSYNC_ONE_TIME: 'true' });
    assert.equal((await once.exited).code, 0);
    assert.equal(await isThere(lock), false, 'the lock is left after a one-time sync');

    const sidecar = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root });
    await sidecar.waitForLog('which is already published');
    assert.ok(await isThere(lock));
    assert.equal((await sidecar.stop('SIGTERM')).code, 0);
    assert.equal(await isThere(lock), false, 'the lock is left after SIGTERM');

    const failing = start({
      GITSYNC_REPO: `git://127.0.0.1:${await freePort()}/${name}`,
      GITSYNC_ROOT: root,
      GITSYNC_MAX_FAILURES: '0',
    });
    assert.equal((await failing.exited).code, 1);
    assert.equal(await isThere(lock), false, 'the lock is left after giving up');
    // None of them had to wait for, or take over, a lock another left.
    for (const run of [sidecar, failing])
      assert.equal(run.logs().filter((line) => /lock/i.test(line.msg)).length, 0);
  });

  it('exits 1 when another process takes its lock over, rather than publish beside it', async () => {
    const { name, root, lock } = await setUp();
    const gitSync = start({ GITSYNC_REPO: daemon.url(name), GITSYNC_ROOT: root });
    await gitSync.waitForLog(/^Synced /);
    const other = {
      service: 'git-sync',
      pid: 4242,
      host: 'another-node',
      since: new Date().toISOString(),
      token: 'theirs',
    };
    await writeFile(`${lock}.new`, `${JSON.stringify(other)}\n`);
    await rename(`${lock}.new`, lock);

    const lost = await gitSync.waitForLog('Lost the lock on GITSYNC_ROOT');
    assert.match(String(lost.reason), /is now held by git-sync \(pid 4242 on host another-node/);
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    assert.equal(JSON.parse(await readFile(lock, 'utf8')).token, 'theirs', 'the other holder keeps its lock');
    bounds.push({
      tried: 'the lock of a running git-sync taken over by another process',
      bound: 'it exits 1 and leaves the lock to the other',
      measured: `exit code 1 after "${lost.msg}"`,
    });
  });
});

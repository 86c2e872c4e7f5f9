// GITSYNC_TOUCH_FILE, GITSYNC_ERROR_FILE and GITSYNC_SYNC_ON_SIGNAL on the built bundle, against a
// real git daemon whose repository the tests take away and give back.
import assert from 'node:assert/strict';
import { access, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import {
  eventually,
  metricValue,
  scrapeMetrics,
  startHttpGitServer,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { gitDaemonForSuite } from './helpers/daemon.ts';
import { healthPort } from './helpers/health.ts';

const base = await tempDir('git-sync-side-files-');
const LONG_AGO = new Date('2001-01-01T00:00:00Z');
const gone = (path: string) =>
  access(path).then(
    () => undefined,
    () => true,
  );

describe('git-sync touch file, error file and sync on signal', () => {
  const daemon = gitDaemonForSuite(base);

  async function setUp() {
    const fresh = await daemon.freshOrigin();
    const first = await fresh.origin.commit({ 'index.txt': 'first\n' });
    return { ...fresh, first };
  }

  it('touches GITSYNC_TOUCH_FILE after a sync that publishes, writes GITSYNC_ERROR_FILE while syncs fail, and removes it after one succeeds', async () => {
    const { origin, first, name, root } = await setUp();
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '200ms',
      GITSYNC_MAX_FAILURES: '-1',
      GITSYNC_TOUCH_FILE: 'signals/synced',
      GITSYNC_ERROR_FILE: 'signals/error.json',
    });
    const touched = join(root, 'signals', 'synced');
    const errorFile = join(root, 'signals', 'error.json');
    await gitSync.waitForLog(` to ${first}`);
    await eventually(() => stat(touched), { what: 'the touch file' });
    assert.equal(await gone(errorFile), true);

    await utimes(touched, LONG_AGO, LONG_AGO);
    const second = await origin.commit({ 'index.txt': 'second\n' });
    await gitSync.waitForLog(` to ${second}`);
    await eventually(async () => ((await stat(touched)).mtimeMs > LONG_AGO.getTime() ? true : undefined), {
      what: 'the touch file touched after the new commit',
    });

    // The repository gone from the daemon: each sync fails until it is back.
    await utimes(touched, LONG_AGO, LONG_AGO);
    await rename(origin.bare, `${origin.bare}.away`);
    const written = await eventually(() => readFile(errorFile, 'utf8'), { what: 'the error file' });
    const payload = JSON.parse(written);
    assert.match(payload.Err, /\S/);
    assert.equal(typeof payload.Args.failCount, 'number');
    await gitSync.waitForLog(/Sync failed \(2 in a row\)/);
    assert.equal((await stat(touched)).mtimeMs, LONG_AGO.getTime());

    await rename(`${origin.bare}.away`, origin.bare);
    await eventually(() => gone(errorFile), { what: 'the error file removed' });
    assert.equal((await stat(touched)).mtimeMs, LONG_AGO.getTime(), 'the commit did not change');
    await gitSync.stop();
  });

  it('writes the error without the password of the repository URL', async () => {
    const password = 'pw-in-the-url-7Hq';
    const server = await startHttpGitServer(base, { username: 'deploy', password });
    try {
      const root = join(base, 'root-http');
      const url = new URL(server.url('missing.git'));
      url.username = 'deploy';
      url.password = password;
      const gitSync = startService('git-sync', {
        GITSYNC_REPO: url.href,
        GITSYNC_ROOT: root,
        GITSYNC_PERIOD: '200ms',
        GITSYNC_MAX_FAILURES: '-1',
        GITSYNC_ERROR_FILE: join(root, 'error.json'),
      });
      const written = await eventually(() => readFile(join(root, 'error.json'), 'utf8'), {
        what: 'the error file',
      });
      assert.equal(written.includes(password), false, written);
      assert.equal(written.includes(encodeURIComponent(password)), false, written);
      await gitSync.stop();
    } finally {
      await server.stop();
    }
  });

  it('touches an absolute GITSYNC_TOUCH_FILE in a folder it creates, at each new commit and not between them', async () => {
    const { origin, first, name, root } = await setUp();
    const touched = join(root, 'dir', 'touch.file');
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_PERIOD: '100ms',
      GITSYNC_HTTP_PORT: '0',
      GITSYNC_TOUCH_FILE: touched,
    });
    const metrics = `http://127.0.0.1:${await healthPort(gitSync)}/`;
    const noops = async () =>
      metricValue(await scrapeMetrics(metrics), 'git_sync_count_total{status="noop"}') ?? 0;
    // As upstream's e2e::touch_file_abs_path: removed after each touch, it is back only with a new
    // commit; two syncs that found nothing new stand for upstream's second of waiting.
    const touchedAgain = async (what: string) => {
      await eventually(() => stat(touched), { what });
      await rm(touched);
      const seen = await noops();
      await eventually(async () => ((await noops()) >= seen + 2 ? true : undefined), {
        what: 'two syncs more',
      });
      assert.equal(await gone(touched), true, `${what}: touched without a new commit`);
    };
    await gitSync.waitForLog(` to ${first}`);
    await touchedAgain('the touch file after the first sync');

    const second = await origin.commit({ 'index.txt': 'second\n' });
    await gitSync.waitForLog(` to ${second}`);
    await touchedAgain('the touch file after a commit');

    await origin.git('reset', '--quiet', '--hard', 'HEAD^');
    await origin.git('push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
    await eventually(
      async () =>
        (await readFile(join(root, 'html', 'index.txt'), 'utf8')) === 'first\n' ? true : undefined,
      {
        what: 'the first commit published again',
      },
    );
    await touchedAgain('the touch file after the branch moved back');
    await gitSync.stop();
  });

  it('writes the error of a ref that does not exist to a relative or an absolute GITSYNC_ERROR_FILE, and a later success removes it', async () => {
    const { name, root } = await setUp();
    for (const errorFile of ['error.json', join(root, 'dir', 'error.json')]) {
      const written = resolve(root, errorFile);
      // As upstream's e2e::export_error and _abs_path: git-sync gives up at once, nothing is linked.
      const failing = startService('git-sync', {
        GITSYNC_REPO: daemon.url(name),
        GITSYNC_ROOT: root,
        GITSYNC_REF: 'does-not-exist',
        GITSYNC_MAX_FAILURES: '0',
        GITSYNC_ERROR_FILE: errorFile,
      });
      assert.deepEqual(await failing.exited, { code: 1, signal: null }, errorFile);
      assert.equal(await gone(join(root, 'html')), true);
      assert.match(JSON.parse(await readFile(written, 'utf8')).Err, /couldn't find remote ref/, errorFile);

      const syncing = startService('git-sync', {
        GITSYNC_REPO: daemon.url(name),
        GITSYNC_ROOT: root,
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_ERROR_FILE: errorFile,
      });
      assert.deepEqual(await syncing.exited, { code: 0, signal: null }, errorFile);
      assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'first\n');
      assert.equal(await gone(written), true, errorFile);
      await rm(join(root, 'html'));
    }
  });

  it('syncs at once on GITSYNC_SYNC_ON_SIGNAL, without waiting for the period', async () => {
    const { origin, first, name, root } = await setUp();
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url(name),
      GITSYNC_ROOT: root,
      // Only the signal can explain a second sync within the test.
      GITSYNC_PERIOD: '1h',
      GITSYNC_SYNC_ON_SIGNAL: 'HUP',
    });
    await gitSync.waitForLog(` to ${first}`);
    const second = await origin.commit({ 'index.txt': 'second\n' });
    gitSync.child.kill('SIGHUP');
    await gitSync.waitForLog(` to ${second}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'second\n');
    assert.ok(gitSync.logs().some((line) => line.msg.includes('Caught SIGHUP')));

    // The handler stays: every signal, not only the first, brings a sync.
    const third = await origin.commit({ 'index.txt': 'third\n' });
    gitSync.child.kill('SIGHUP');
    await gitSync.waitForLog(` to ${third}`);
    const exit = await gitSync.stop();
    assert.equal(exit.code, 0);
  });
});

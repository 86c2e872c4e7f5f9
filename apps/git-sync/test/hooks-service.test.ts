// git-sync itself with both hooks, against a real git daemon, a real script and a real receiver:
// each commit it publishes reaches the exec hook and the webhook, and /metrics counts their runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createOrigin,
  eventually,
  metricValue,
  scrapeMetrics,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { gitDaemonForSuite } from './helpers/daemon.ts';
import { healthPort } from './helpers/health.ts';

const base = await tempDir('git-sync-hooks-');

describe('git-sync with an exec hook and a webhook', () => {
  const daemon = gitDaemonForSuite(base);

  it('runs both for each commit it publishes, the exec hook in the worktree, and counts them', async () => {
    const origin = await createOrigin(base, 'origin.git');
    const first = await origin.commit({ 'index.txt': 'first\n' });
    const hook = join(base, 'hook');
    const ran = join(base, 'ran');
    await writeFile(hook, `#!/bin/sh\necho "$GITSYNC_HASH $(cat index.txt)" >> ${ran}\n`);
    await chmod(hook, 0o755);
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(`${req.method} ${req.headers['gitsync-hash']}`);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => server.close());
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url('origin.git'),
      GITSYNC_ROOT: join(base, 'root'),
      GITSYNC_PERIOD: '100ms',
      GITSYNC_HTTP_PORT: '0',
      GITSYNC_EXECHOOK_COMMAND: hook,
      GITSYNC_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/reload`,
    });
    const url = `http://127.0.0.1:${await healthPort(gitSync)}/`;
    await eventually(async () => (received.length === 1 ? true : undefined));
    const second = await origin.commit({ 'index.txt': 'second\n' });
    await eventually(async () => (received.length === 2 ? true : undefined));
    const text = await eventually(async () => {
      const scraped = await scrapeMetrics(url);
      return metricValue(scraped, 'git_sync_hook_run_count_total{name="exechook",status="success"}') === 2
        ? scraped
        : undefined;
    });
    assert.equal(metricValue(text, 'git_sync_hook_run_count_total{name="webhook",status="success"}'), 2);
    assert.deepEqual(received, [`POST ${first}`, `POST ${second}`]);
    assert.equal(await readFile(ran, 'utf8'), `${first} first\n${second} second\n`);
    await gitSync.stop('SIGTERM');
  });

  it('in one-time mode, waits for the exec hook and exits with 0, or with 1 when its first run failed', async () => {
    const origin = await createOrigin(base, 'once.git');
    const commit = await origin.commit({ 'index.txt': 'once\n' });
    for (const [name, exit, code] of [
      ['succeeds', 0, 0],
      ['fails', 3, 1],
    ] as const) {
      const hook = join(base, `hook-${name}`);
      const ran = join(base, `ran-${name}`);
      await writeFile(hook, `#!/bin/sh\necho "$GITSYNC_HASH" > ${ran}\nexit ${exit}\n`);
      await chmod(hook, 0o755);
      const gitSync = startService('git-sync', {
        GITSYNC_REPO: daemon.url('once.git'),
        GITSYNC_ROOT: join(base, `root-${name}`),
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_EXECHOOK_COMMAND: hook,
      });
      assert.deepEqual(await gitSync.exited, { code, signal: null }, name);
      assert.equal(await readFile(ran, 'utf8'), `${commit}\n`);
    }
  });

  it('in one-time mode, waits for the webhook: exits with 0 after one call, or with 1 after one call answered 500', async () => {
    const origin = await createOrigin(base, 'webhook-once.git');
    const commit = await origin.commit({ 'index.txt': 'webhook once\n' });
    for (const [status, code] of [
      [200, 0],
      [500, 1],
    ] as const) {
      const received: string[] = [];
      const server = createServer((req, res) => {
        received.push(`${req.method} ${req.headers['gitsync-hash']}`);
        res.writeHead(status).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      after(() => server.close());
      const root = join(base, `root-webhook-${status}`);
      const gitSync = startService('git-sync', {
        GITSYNC_REPO: daemon.url('webhook-once.git'),
        GITSYNC_ROOT: root,
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      });
      assert.deepEqual(await gitSync.exited, { code, signal: null }, `answered ${status}`);
      // As upstream's e2e::webhook_success_once and _fail_retry_once: called once, never retried,
      // and the revision stays published whatever the webhook answered.
      assert.deepEqual(received, [`POST ${commit}`], `answered ${status}`);
      assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'webhook once\n');
    }
  });

  it("runs an exec hook that uses the worktree's git, as upstream's git archive hook", async () => {
    const origin = await createOrigin(base, 'archive.git');
    await origin.commit({ 'index.txt': 'archived\n', 'docs/page.md': 'a page\n' });
    const hook = join(base, 'hook-archive');
    await writeFile(hook, '#!/bin/sh\ngit archive --format tar.gz --output archive.tgz HEAD\n');
    await chmod(hook, 0o755);
    const root = join(base, 'root-archive');
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: daemon.url('archive.git'),
      GITSYNC_ROOT: root,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_EXECHOOK_COMMAND: hook,
    });
    assert.deepEqual(await gitSync.exited, { code: 0, signal: null }, gitSync.output.join('\n'));
    const files = await new Promise<string>((resolve, reject) =>
      execFile('tar', ['tzf', join(root, 'html', 'archive.tgz')], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    assert.deepEqual(files.split('\n').filter(Boolean).sort(), ['docs/', 'docs/page.md', 'index.txt']);
  });

  it('after a restart, runs the hooks for the commit it finds published, whose hooks may not have run', async () => {
    const origin = await createOrigin(base, 'restart.git');
    const commit = await origin.commit({ 'index.txt': 'restart\n' });
    const env = {
      GITSYNC_REPO: daemon.url('restart.git'),
      GITSYNC_ROOT: join(base, 'root-restart'),
      GITSYNC_ONE_TIME: 'true',
    };
    assert.deepEqual(await startService('git-sync', env).exited, { code: 0, signal: null });
    const hook = join(base, 'hook-restart');
    const ran = join(base, 'ran-restart');
    await writeFile(hook, `#!/bin/sh\necho "$GITSYNC_HASH" > ${ran}\n`);
    await chmod(hook, 0o755);
    const again = startService('git-sync', { ...env, GITSYNC_EXECHOOK_COMMAND: hook });
    assert.deepEqual(await again.exited, { code: 0, signal: null });
    assert.equal(await readFile(ran, 'utf8'), `${commit}\n`);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createOrigin,
  eventually,
  type GitServer,
  kubeletVolume,
  resourceBounds,
  startHttpGitServer,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import { healthPort, probe } from './helpers/health.ts';
import { allProcesses, descendantsOf } from './helpers/processes.ts';

// Characters that URLs and JSON escape, so that the redaction of every form is put to the test.
const PASSWORD = 'pa"ss w@rd/\\x';
const USERNAME = 'deploy';

/** Every file under `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(needle)) found.push(path);
  }
  return found;
}

const base = await tempDir('git-sync-http-');
const bounds = resourceBounds('git-sync', import.meta.url);

describe('git-sync over smart HTTP with basic authentication', () => {
  let server: GitServer;
  let count = 0;

  before(async () => {
    server = await startHttpGitServer(base, { username: USERNAME, password: PASSWORD });
    const origin = await createOrigin(base, 'site.git');
    await origin.commit({ 'index.txt': 'private\n' });
  });
  after(() => server.stop());

  function start(env: Record<string, string>) {
    count += 1;
    const root = join(base, `root-${count}`);
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: server.url('site.git'),
      GITSYNC_ROOT: root,
      ...env,
    });
    const output = () => gitSync.output.join('\n');
    const lastError = () => gitSync.logs().findLast((line) => line.level === 'error')?.error;
    return { gitSync, root, output, lastError };
  }

  async function passwordFile(password: string): Promise<string> {
    count += 1;
    const file = join(base, `password-${count}`);
    await writeFile(file, `${password}\n`);
    return file;
  }

  it('syncs with GITSYNC_USERNAME and GITSYNC_PASSWORD_FILE, and the password is nowhere on disk or in the logs', async () => {
    const origin = await createOrigin(base, 'moving.git');
    const first = await origin.commit({ 'index.txt': 'private\n' });
    const { gitSync, root, output } = start({
      GITSYNC_REPO: server.url('moving.git'),
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: await passwordFile(PASSWORD),
      GITSYNC_PERIOD: '200ms',
    });
    await gitSync.waitForLog(`to ${first}`);
    // A second fetch, into what the first sync left, so that every file git writes on a fetch is
    // there to be searched.
    const second = await origin.commit({ 'index.txt': 'private, later\n' });
    await gitSync.waitForLog(`to ${second}`);
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'private, later\n');
    assert.equal((await gitSync.stop()).code, 0);

    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), 'pa%22ss%20w%40rd']) {
      assert.deepEqual(await filesContaining(root, form), [], `"${form}" written under GITSYNC_ROOT`);
      assert.ok(!output().includes(form), `"${form}" in the output`);
    }
    assert.doesNotMatch(
      await readFile(join(root, '.gitsync', 'repo.git', 'config'), 'utf8'),
      /deploy|127\.0\.0\.1/,
    );
  });

  it('fails with a wrong password without showing it, in the logs or on /healthz', async () => {
    const wrong = 'wr0ng"secret';
    const { gitSync, output } = start({
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: await passwordFile(wrong),
      GITSYNC_PERIOD: '100ms',
      // Still running when the test probes it, however busy the machine.
      GITSYNC_MAX_FAILURES: '-1',
      GITSYNC_HTTP_PORT: '0',
    });
    const port = await healthPort(gitSync);
    const failed = await gitSync.waitForLog('Sync failed');
    assert.match(String(failed.error), /git fetch failed: .*Authentication failed/);
    const health = await probe(port, '/healthz');
    assert.match(health.body, /failed syncs in a row, last error: git fetch failed/);
    assert.deepEqual(await probe(port, '/readyz'), {
      status: 503,
      body: `not synced yet, last error: ${failed.error}`,
    });
    await gitSync.stop();
    assert.ok(!output().includes('wr0ng'), 'the wrong password was printed');
    assert.ok(!health.body.includes('wr0ng'), 'the wrong password is on /healthz');
  });

  it('in one-time mode, exits with 1 and links nothing with a wrong password, then syncs once the file holds the right one', async () => {
    // As upstream's e2e::auth_http_password_file: two one-time runs on one root and one file.
    const file = await passwordFile('wrong');
    const env = {
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: file,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
    };
    const wrong = start(env);
    assert.deepEqual(await wrong.gitSync.exited, { code: 1, signal: null });
    assert.match(String(wrong.lastError()), /Authentication failed/);
    await assert.rejects(readFile(join(wrong.root, 'html', 'index.txt')), { code: 'ENOENT' });

    await writeFile(file, `${PASSWORD}\n`);
    const right = startService('git-sync', {
      GITSYNC_REPO: server.url('site.git'),
      GITSYNC_ROOT: wrong.root,
      ...env,
    });
    assert.deepEqual(await right.exited, { code: 0, signal: null }, right.output.join('\n'));
    assert.equal(await readFile(join(wrong.root, 'html', 'index.txt'), 'utf8'), 'private\n');
  });

  it('redacts a password written into GITSYNC_REPO itself', async () => {
    const inline = `http://${USERNAME}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/site.git`;
    const { gitSync, output } = start({ GITSYNC_REPO: inline, GITSYNC_ONE_TIME: 'true' });
    assert.deepEqual(await gitSync.exited, { code: 0, signal: null });
    assert.match(
      output(),
      new RegExp(`Synced http://deploy:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/site\\.git HEAD`),
    );
    assert.ok(!output().includes(encodeURIComponent(PASSWORD)));
  });

  it('fails at once without credentials instead of waiting for someone to type them', async () => {
    const { gitSync, lastError } = start({ GITSYNC_ONE_TIME: 'true', GITSYNC_MAX_FAILURES: '0' });
    assert.deepEqual(await gitSync.exited, { code: 1, signal: null });
    assert.match(String(lastError()), /terminal prompts disabled/);
  });
});

describe('a rotated password reaches the running git-sync, read again at every sync', () => {
  const NEW_PASSWORD = 'n3w"pass w@rd';

  /** A server of its own, whose password the test rotates, and a git-sync that syncs from it. */
  async function setUp(passwordFile: string) {
    const server = await startHttpGitServer(base, { username: USERNAME, password: PASSWORD });
    after(() => server.stop());
    const name = `rotated-${randomUUID()}.git`;
    const origin = await createOrigin(base, name);
    const first = await origin.commit({ 'index.txt': 'before the rotation\n' });
    const root = join(base, `root-${randomUUID()}`);
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: server.url(name),
      GITSYNC_ROOT: root,
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: passwordFile,
      GITSYNC_PERIOD: '100ms',
      // Between the server's rotation and the file's, syncs fail: it must not give up meanwhile.
      GITSYNC_MAX_FAILURES: '-1',
    });
    after(() => gitSync.stop());
    await gitSync.waitForLog(`to ${first}`);
    const served = () => readFile(join(root, 'html', 'index.txt'), 'utf8');
    return { server, origin, gitSync, served };
  }

  /** Nothing of either password in what git-sync printed. */
  function assertNoPassword(output: string): void {
    for (const password of [PASSWORD, NEW_PASSWORD]) {
      for (const form of [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)])
        assert.ok(!output.includes(form), `"${form}" in the output`);
    }
  }

  it('a password file rewritten in place: the next sync uses the new password, with no restart', async () => {
    const file = join(base, `password-${randomUUID()}`);
    await writeFile(file, `${PASSWORD}\n`);
    const { server, origin, gitSync, served } = await setUp(file);
    server.setPassword(NEW_PASSWORD);
    await writeFile(file, `${NEW_PASSWORD}\n`);
    const second = await origin.commit({ 'index.txt': 'after the rotation\n' });
    await gitSync.waitForLog(`to ${second}`);
    assert.equal(await served(), 'after the rotation\n');
    assert.equal(gitSync.logs().filter((line) => line.msg.startsWith('Syncing ')).length, 1, 'started once');
    assertNoPassword(gitSync.output.join('\n'));
  });

  it('a password file replaced by a wrong password stops the syncs, and replaced by the right one again resumes them', async () => {
    // As upstream's e2e::auth_password_file_reload: the server's password stays, the file changes.
    const file = join(base, `password-${randomUUID()}`);
    await writeFile(file, `${PASSWORD}\n`);
    const { origin, gitSync, served } = await setUp(file);
    const replace = async (password: string) => {
      await writeFile(`${file}.tmp`, password);
      await rename(`${file}.tmp`, file);
    };
    await replace('wrong');
    const second = await origin.commit({ 'index.txt': 'after the wrong password\n' });
    // The sync under way when the commit came may have begun before it: the one after it cannot.
    const failures = () => gitSync.logs().filter((line) => line.msg.startsWith('Sync failed')).length;
    const before = failures();
    await eventually(async () => (failures() >= before + 2 ? true : undefined), {
      what: 'two more failed syncs',
    });
    assert.equal(await served(), 'before the rotation\n', 'the published revision stays');
    assert.ok(!gitSync.output.join('\n').includes(`to ${second}`), 'nothing new published');
    assert.match(
      String(gitSync.logs().findLast((line) => line.msg.startsWith('Sync failed'))?.error),
      /Authentication failed/,
    );

    await replace(PASSWORD);
    await gitSync.waitForLog(`to ${second}`);
    assert.equal(await served(), 'after the wrong password\n');
    assertNoPassword(gitSync.output.join('\n'));
  });

  it("a Secret volume's ..data link swapped by the kubelet: the next sync uses the new password", async () => {
    const volume = await kubeletVolume({ password: `${PASSWORD}\n` });
    const { server, origin, gitSync, served } = await setUp(volume.path('password'));
    server.setPassword(NEW_PASSWORD);
    await volume.publish({ password: NEW_PASSWORD });
    const second = await origin.commit({ 'index.txt': 'after the swap\n' });
    await gitSync.waitForLog(`to ${second}`);
    assert.equal(await served(), 'after the swap\n');
    assertNoPassword(gitSync.output.join('\n'));
  });

  it('a password file briefly empty fails those syncs and keeps the published revision', async () => {
    const volume = await kubeletVolume({ password: `${PASSWORD}\n` });
    const { origin, gitSync, served } = await setUp(volume.path('password'));
    await volume.publish({ password: '' });
    const failed = await gitSync.waitForLog('Sync failed');
    assert.match(
      String(failed.error),
      new RegExp(
        `^cannot use the password in GITSYNC_PASSWORD_FILE=${volume.path('password')}: the file is empty$`,
      ),
    );
    const second = await origin.commit({ 'index.txt': 'not without a password\n' });
    // The sync under way when the commit came may have read the file before it: the one after it cannot.
    const failures = () => gitSync.logs().filter((line) => line.msg.startsWith('Sync failed')).length;
    const before = failures();
    await eventually(async () => (failures() >= before + 2 ? true : undefined), {
      what: 'two more failed syncs',
    });
    assert.equal(await served(), 'before the rotation\n', 'the published revision stays');
    assert.ok(!gitSync.output.join('\n').includes(`to ${second}`), 'nothing new published');
    await volume.publish({ password: `${PASSWORD}\n` });
    await gitSync.waitForLog(`to ${second}`);
    assert.equal(await served(), 'not without a password\n');
  });
});

describe('credentials reach the server byte for byte', () => {
  // What URLs escape or git would decode: a password is never taken for a URL fragment.
  const cases = [
    { username: USERNAME, password: 'P%40ss' },
    { username: USERNAME, password: '100%' },
    { username: USERNAME, password: '%zz%2' },
    { username: USERNAME, password: 'a:b:c' },
    { username: USERNAME, password: 'user@host@' },
    { username: USERNAME, password: ' two  spaces ' },
    { username: USERNAME, password: 'pässwörd ✓ 密码' },
    { username: USERNAME, password: '+/?#[]&=;' },
    { username: 'dev%40ops: ü', password: 'token' },
  ];
  let accepted = 0;
  after(() =>
    bounds.push({
      tried: `${cases.length} user names and passwords holding %XX, %, :, @, spaces and non-ASCII characters`,
      bound: 'each reaches the server byte for byte',
      measured: `${accepted} of ${cases.length} accepted by the server`,
    }),
  );
  for (const { username, password } of cases) {
    it(`user ${JSON.stringify(username)} with password ${JSON.stringify(password)}`, async () => {
      const server = await startHttpGitServer(base, { username, password });
      after(() => server.stop());
      const file = join(base, `password-${randomUUID()}`);
      await writeFile(file, `${password}\n`);
      const gitSync = startService('git-sync', {
        GITSYNC_REPO: server.url('site.git'),
        GITSYNC_ROOT: join(base, `root-${randomUUID()}`),
        GITSYNC_USERNAME: username,
        GITSYNC_PASSWORD_FILE: file,
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_MAX_FAILURES: '0',
      });
      assert.deepEqual(await gitSync.exited, { code: 0, signal: null }, gitSync.output.join('\n'));
      assert.ok(!gitSync.output.join('\n').includes(password), 'the password was printed');
      accepted += 1;
    });
  }
});

/**
 * An HTTP proxy to the git server that passes every request but the first with credentials,
 * which it holds unanswered: a fetch that has been given the password, sent it, and
 * waits, with every git process it started, until the test has looked at them.
 */
async function startHoldingProxy(
  target: number,
): Promise<{ url(name: string): string; held: Promise<void>; stop(): Promise<void> }> {
  let hold!: () => void;
  const held = new Promise<void>((resolve) => {
    hold = resolve;
  });
  const server: Server = createServer((request, response) => {
    if (request.headers.authorization !== undefined) {
      hold();
      return;
    }
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: target,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    held,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('the password is on no command line and in no environment of a git process', () => {
  it('while an authenticated fetch runs, no git process holds it in /proc/<pid>/cmdline or environ', async () => {
    const server = await startHttpGitServer(base, { username: USERNAME, password: PASSWORD });
    after(() => server.stop());
    const proxy = await startHoldingProxy(server.port);
    after(() => proxy.stop());
    const file = join(base, `password-${randomUUID()}`);
    await writeFile(file, `${PASSWORD}\n`);
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: proxy.url('site.git'),
      GITSYNC_ROOT: join(base, `root-${randomUUID()}`),
      GITSYNC_USERNAME: USERNAME,
      GITSYNC_PASSWORD_FILE: file,
      GITSYNC_ONE_TIME: 'true',
    });
    // git asks for credentials only after the server refused a request without: it holds them now.
    const early = await Promise.race([proxy.held, gitSync.exited]);
    assert.equal(early, undefined, `git-sync ended before its fetch: ${gitSync.output.join('\n')}`);
    const pid = gitSync.child.pid ?? 0;
    const children = descendantsOf(pid, await allProcesses());
    const commands = children.map((child) => child.command);
    assert.ok(commands.includes('git'), `git runs: ${commands.join(', ')}`);
    assert.ok(
      commands.some((command) => command.startsWith('git-remote-http') || command === 'git-remote-ht'),
      `git's HTTP helper runs: ${commands.join(', ')}`,
    );
    const forms = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'),
    ];
    for (const child of children) {
      for (const part of ['cmdline', 'environ']) {
        let bytes: Buffer;
        try {
          bytes = await readFile(`/proc/${child.pid}/${part}`);
        } catch {
          continue; // ended since the listing
        }
        for (const form of forms)
          assert.ok(!bytes.includes(form), `"${form}" in /proc/${child.pid}/${part} of ${child.command}`);
      }
    }
    await gitSync.stop();
  });
});

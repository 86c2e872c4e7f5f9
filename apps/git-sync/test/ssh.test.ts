import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  createOrigin,
  type SshServer,
  skipUnlessAvailable,
  startService,
  startSshServer,
  tempDir,
} from '@fortune-sidecar/testing';
import { sshTransport } from '../src/ssh.ts';

const skip = await skipUnlessAvailable(['sshd']);
const run = promisify(execFile);
const base = await tempDir('git-sync-ssh-');

describe('git-sync over ssh:// with a real sshd', { skip }, () => {
  let server: SshServer;
  let commit: string;
  let count = 0;

  before(async () => {
    server = await startSshServer(base);
    const origin = await createOrigin(base, 'site.git');
    commit = await origin.commit({ 'index.txt': 'over ssh\n' });
  });
  after(() => server?.stop());

  /** A one-time sync that gives up at its first failure; resolves with its exit and last error. */
  async function syncOnce(env: Record<string, string>) {
    count += 1;
    const root = join(base, `root-${count}`);
    const gitSync = startService('git-sync', {
      GITSYNC_REPO: server.url('site.git'),
      GITSYNC_ROOT: root,
      GITSYNC_SSH_KEY_FILE: server.clientKey,
      GITSYNC_SSH_KNOWN_HOSTS_FILE: server.knownHosts,
      GITSYNC_ONE_TIME: 'true',
      GITSYNC_MAX_FAILURES: '0',
      ...env,
    });
    const exit = await gitSync.exited;
    const lastError = gitSync.logs().findLast((line) => line.level === 'error')?.error;
    return { exit, lastError: String(lastError), root, output: gitSync.output.join('\n') };
  }

  it('syncs with GITSYNC_SSH_KEY_FILE, checking the host key against GITSYNC_SSH_KNOWN_HOSTS_FILE', async () => {
    const { exit, root, output } = await syncOnce({});
    assert.deepEqual(exit, { code: 0, signal: null }, output);
    assert.match(output, new RegExp(`to ${commit}`));
    assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'over ssh\n');
  });

  it('over ssh:// and the scp-like user@[host:port]:path alike, fails with a key the server refuses, then syncs with its key', async () => {
    const otherKey = join(base, 'other_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'not-authorized', '-f', otherKey]);
    const scpLike = `${userInfo().username}@[127.0.0.1:${server.port}]:${join(base, 'site.git')}`;
    // As upstream's e2e::auth_ssh (user@host:path) and e2e::auth_ssh_url (ssh://user@host/path).
    for (const repo of [server.url('site.git'), scpLike]) {
      const refused = await syncOnce({ GITSYNC_REPO: repo, GITSYNC_SSH_KEY_FILE: otherKey });
      assert.deepEqual(refused.exit, { code: 1, signal: null }, repo);
      assert.match(refused.lastError, /Permission denied/, repo);
      await assert.rejects(readFile(join(refused.root, 'html', 'index.txt')), { code: 'ENOENT' });

      const { exit, root, output } = await syncOnce({ GITSYNC_REPO: repo });
      assert.deepEqual(exit, { code: 0, signal: null }, output);
      assert.match(output, new RegExp(`to ${commit}`));
      assert.equal(await readFile(join(root, 'html', 'index.txt'), 'utf8'), 'over ssh\n');
    }
  });

  it('refuses a server whose host key is not the one in GITSYNC_SSH_KNOWN_HOSTS_FILE, and says so', async () => {
    const { exit, lastError } = await syncOnce({ GITSYNC_SSH_KNOWN_HOSTS_FILE: server.wrongKnownHosts });
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(
      lastError,
      new RegExp(
        `^ssh refused the server: its host key did not match GITSYNC_SSH_KNOWN_HOSTS_FILE=${server.wrongKnownHosts} \\(git fetch failed: .*Host key verification failed`,
      ),
    );
  });

  it('with GITSYNC_SSH_KNOWN_HOSTS=false, syncs from a server whose host key it does not know', async () => {
    const { exit, output } = await syncOnce({
      GITSYNC_SSH_KNOWN_HOSTS: 'false',
      GITSYNC_SSH_KNOWN_HOSTS_FILE: server.wrongKnownHosts,
    });
    assert.deepEqual(exit, { code: 0, signal: null }, output);
  });

  it('a key file that others can read: names GITSYNC_SSH_KEY_FILE and its mode', async () => {
    await chmod(server.clientKey, 0o644);
    try {
      const { exit, lastError } = await syncOnce({});
      assert.deepEqual(exit, { code: 1, signal: null });
      assert.match(
        lastError,
        new RegExp(`^ssh refused the key in GITSYNC_SSH_KEY_FILE=${server.clientKey}: its mode is 0644, `),
      );
    } finally {
      await chmod(server.clientKey, 0o600);
    }
  });
});

describe('the ssh command git runs', () => {
  const settings = {
    keyFile: "/etc/git-secret/it's",
    knownHosts: true,
    knownHostsFile: '/etc/git-secret/known_hosts',
  };

  it('offers only the key, checks the host key strictly and never prompts', () => {
    assert.deepEqual(sshTransport(settings).env, {
      GIT_SSH_COMMAND:
        "ssh -i '/etc/git-secret/it'\\''s' -o IdentitiesOnly=yes -o UserKnownHostsFile='/etc/git-secret/known_hosts' -o StrictHostKeyChecking=yes -o BatchMode=yes",
    });
  });

  it('with GITSYNC_SSH_KNOWN_HOSTS=false, accepts any host key and remembers none', () => {
    assert.equal(
      sshTransport({ ...settings, knownHosts: false }).env?.GIT_SSH_COMMAND,
      "ssh -i '/etc/git-secret/it'\\''s' -o IdentitiesOnly=yes -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o BatchMode=yes",
    );
  });
});

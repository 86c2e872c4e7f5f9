import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mustRun, SSHD } from './containers.ts';
import { freePort } from './git-server.ts';
import { PATIENCE_MS } from './patience.ts';

export interface SshServer {
  readonly port: number;
  /** The URL of the bare repository `<base>/<name>`, for the user running the tests. */
  url(name: string): string;
  /** A private key that authorized_keys accepts, written with mode 0600. */
  readonly clientKey: string;
  /** A known_hosts file holding this server's host key for 127.0.0.1 and its port. */
  readonly knownHosts: string;
  /** A known_hosts line for this address with another host key: a server that is not this one. */
  readonly wrongKnownHosts: string;
  stop(): Promise<void>;
}

async function keyPair(path: string): Promise<string> {
  await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fortune-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/**
 * A real `sshd` on 127.0.0.1 with its own host key and configuration, letting the user who runs
 * the tests in with a generated key only; git runs `git-upload-pack` through it as over any SSH
 * server, for the bare repositories under `base` (given by absolute path in the URL).
 */
export async function startSshServer(base: string): Promise<SshServer> {
  const dir = join(base, `sshd-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  await mkdir(dir, { recursive: true });
  const hostKey = await keyPair(join(dir, 'host_key'));
  const otherHostKey = await keyPair(join(dir, 'other_host_key'));
  const clientKey = join(dir, 'client_key');
  await writeFile(join(dir, 'authorized_keys'), `${await keyPair(clientKey)}\n`);
  const port = await freePort();
  const address = `[127.0.0.1]:${port}`;
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `${address} ${hostKey.split(' ').slice(0, 2).join(' ')}\n`);
  const wrongKnownHosts = join(dir, 'wrong_known_hosts');
  await writeFile(wrongKnownHosts, `${address} ${otherHostKey.split(' ').slice(0, 2).join(' ')}\n`);
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The test's temporary folders are not laid out as a home folder would be.
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${userInfo().username}`,
      '',
    ].join('\n'),
  );
  // Where sshd isolates its unprivileged child; Debian's service creates it at boot.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    said += chunk.toString('utf8');
  });
  await waitUntilListening(port, child, () => said);
  return {
    port,
    url: (name) => `ssh://${userInfo().username}@127.0.0.1:${port}${join(base, name)}`,
    clientKey,
    knownHosts,
    wrongKnownHosts,
    stop: () => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

async function waitUntilListening(port: number, child: ChildProcess, said: () => string): Promise<void> {
  const patience = AbortSignal.timeout(PATIENCE_MS);
  while (!patience.aborted) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${said()}`);
    if (said().includes('Server listening on')) return;
    await sleep(20);
  }
  throw new Error(`sshd did not listen on port ${port} within ${PATIENCE_MS} ms: ${said()}`);
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './git-server.ts';
import { eventually } from './http.ts';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end and returns what it printed; never throws for a failing exit. */
export function command(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 10 * 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && !stdout ? String(error.message) : '') });
      },
    );
  });
}

/** Like command(), but a failing exit throws with everything the command printed. */
export async function mustRun(
  file: string,
  args: readonly string[],
  options: Parameters<typeof command>[2] = {},
): Promise<string> {
  const result = await command(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout.trim();
}

/** Debian's Chromium: the browser the page tests drive. */
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's OpenSSH server (package openssh-server); sshd must be started by its absolute path. */
export const SSHD = '/usr/sbin/sshd';

export type ContainerTool =
  | 'docker'
  | 'compose'
  | 'docker-registry'
  | 'debootstrap'
  | 'podman'
  | 'shellcheck'
  | 'chromium'
  | 'sshd'
  | 'tmpfs-mount';

const INSTALL_HINT = 'install them as root with scripts/install-container-tools.sh (Debian packages)';

async function has(tool: ContainerTool): Promise<boolean> {
  switch (tool) {
    case 'docker':
      return (await command('docker', ['info'], { timeoutMs: 20_000 })).code === 0;
    case 'compose':
      return (await composeCommand()) !== undefined;
    case 'debootstrap':
      return (await command('debootstrap', ['--version'])).code === 0 && process.getuid?.() === 0;
    case 'docker-registry':
      return (await command('docker-registry', ['--version'])).code === 0;
    case 'podman':
      return (await command('podman', ['--version'])).code === 0;
    case 'shellcheck':
      return (await command('shellcheck', ['--version'])).code === 0;
    case 'chromium':
      return existsSync(CHROMIUM);
    case 'sshd':
      // ssh-keygen and ssh come with it (openssh-client is a dependency).
      return existsSync(SSHD);
    case 'tmpfs-mount':
      return canMountTmpfs();
  }
}

const DESCRIPTIONS: Partial<Record<ContainerTool, string>> = {
  docker: 'a running Docker engine',
  chromium: `Chromium at ${CHROMIUM}`,
  sshd: `the OpenSSH server at ${SSHD} (package openssh-server)`,
  'tmpfs-mount': 'root, to mount a small tmpfs (a full disk on demand)',
};

async function canMountTmpfs(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const dir = await mkdtemp(join(tmpdir(), 'fortune-mount-check-'));
  const mounted = (await command('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir])).code === 0;
  if (mounted) await command('umount', [dir]);
  await rm(dir, { recursive: true, force: true });
  return mounted;
}

/**
 * Whether a suite that needs these tools can run: `false` when it can, or the reason it is
 * skipped. Where FORTUNE_NO_SKIP=1 (CI sets it after installing them) a missing tool
 * is an error instead, so these tests never pass by being skipped there.
 */
export async function skipUnlessAvailable(tools: readonly ContainerTool[]): Promise<string | false> {
  const missing: string[] = [];
  for (const tool of tools) {
    if (!(await has(tool))) missing.push(DESCRIPTIONS[tool] ?? tool);
  }
  if (missing.length === 0) return false;
  const reason = `needs ${missing.join(', ')}: ${INSTALL_HINT}`;
  if (process.env.FORTUNE_NO_SKIP === '1') {
    throw new Error(`FORTUNE_NO_SKIP=1 but this suite ${reason}`);
  }
  return reason;
}

let compose: readonly string[] | undefined | null = null;
/** `docker compose` (the v2 plugin) where the client has it, else Debian's `docker-compose`. */
export async function composeCommand(): Promise<readonly string[] | undefined> {
  if (compose !== null) return compose;
  if ((await command('docker', ['compose', 'version'])).code === 0) compose = ['docker', 'compose'];
  else if ((await command('docker-compose', ['version'])).code === 0) compose = ['docker-compose'];
  else compose = undefined;
  return compose;
}

export interface Registry {
  /** host:port, on the loopback address. */
  readonly address: string;
  stop(): Promise<void>;
}

/** A real image registry (Debian's docker-registry, the CNCF distribution) on 127.0.0.1. */
export async function startRegistry(dir: string): Promise<Registry> {
  const port = await freePort();
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
      return (await fetch(`http://${address}/v2/`)).ok || undefined;
    },
    { timeoutMs: 10_000, what: `the registry on ${address}` },
  );
  return {
    address,
    stop: () =>
      child.exitCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
  };
}

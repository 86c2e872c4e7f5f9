import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGitHttpServer } from '@fortune-sidecar/git-server';
import { PATIENCE_MS } from './patience.ts';

export interface GitServer {
  readonly port: number;
  /** The URL of the bare repository `<base>/<name>`. */
  url(name: string): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now: git daemon cannot listen on port 0 and tell which port it got. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const patience = AbortSignal.timeout(PATIENCE_MS);
  while (!patience.aborted) {
    if (child.exitCode !== null) throw new Error(`git daemon exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(20);
  }
  throw new Error(`git daemon did not listen on port ${port} within ${PATIENCE_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A real `git daemon` serving every bare repository under `base` over git:// on 127.0.0.1.
 * Give `port` to start it again where a stopped one was (a server that comes back).
 */
export async function startGitDaemon(base: string, port?: number): Promise<GitServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    'git',
    [
      'daemon',
      '--listen=127.0.0.1',
      `--port=${chosen}`,
      '--export-all',
      `--base-path=${base}`,
      '--reuseaddr',
      '--enable=receive-pack',
      base,
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(chosen, child);
  return {
    port: chosen,
    url: (name) => `git://127.0.0.1:${chosen}/${name}`,
    stop: () => stopChild(child),
  };
}

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

export interface HttpGitServer extends GitServer {
  /** The password the server asks for from the next request on: rotated on the server's side. */
  setPassword(password: string): void;
}

/**
 * Smart HTTP on 127.0.0.1: the demo git server's own front for `git http-backend`
 * (packages/git-server), asking for basic authentication when `auth` is given.
 */
export async function startHttpGitServer(base: string, auth?: BasicAuth): Promise<HttpGitServer> {
  let password = auth?.password ?? '';
  const server = await startGitHttpServer({
    root: base,
    host: '127.0.0.1',
    port: 0,
    ...(auth ? { auth: { username: auth.username, password: () => password } } : {}),
  });
  return {
    port: server.port,
    url: (name) => `http://127.0.0.1:${server.port}/${name}`,
    stop: () => server.close(),
    setPassword(next) {
      password = next;
    },
  };
}

/** A server that accepts connections and never answers: a remote that hangs. */
export async function startSilentServer(): Promise<GitServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (name) => `git://127.0.0.1:${port}/${name}`,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface StallingProxy {
  readonly port: number;
  /** Connections the proxy holds open now. */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy to a server on 127.0.0.1:`target` that stalls: on each connection it passes what
 * the client sends, and only the first `afterBytes` bytes of what the server answers; then it
 * holds the connection open and passes nothing more. A remote that hangs mid-transfer, whatever
 * the protocol (git://, http://).
 */
export async function startStallingProxy(target: number, afterBytes: number): Promise<StallingProxy> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    open.add(client);
    let passed = 0;
    upstream.on('data', (chunk: Buffer) => {
      const room = afterBytes - passed;
      if (room > 0) client.write(chunk.subarray(0, room));
      passed += chunk.length;
    });
    client.pipe(upstream);
    const end = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connections: () => open.size,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

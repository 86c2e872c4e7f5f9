import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * Smart HTTP: `git http-backend` run as a CGI program behind node:http, on 127.0.0.1, asking
 * for basic authentication when `auth` is given.
 */
export async function startHttpGitServer(base: string, auth?: BasicAuth): Promise<GitServer> {
  const expected = auth && `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (expected && request.headers.authorization !== expected) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      response.end('authentication required\n');
      return;
    }
    runHttpBackend(base, url, request, response, auth?.username);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function runHttpBackend(
  base: string,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
  user: string | undefined,
): void {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : '';
  };
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: base,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: header('content-type'),
      ...(request.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      GIT_PROTOCOL: header('git-protocol'),
      REMOTE_ADDR: '127.0.0.1',
      ...(user ? { REMOTE_USER: user } : {}),
    },
  });
  request.pipe(cgi.stdin);
  // The CGI answer is headers, a blank line, then the body.
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    response.write(head.subarray(end + 4));
  });
  cgi.on('close', () => {
    if (!headersDone) response.writeHead(500);
    response.end();
  });
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

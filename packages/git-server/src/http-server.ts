import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpAuth {
  readonly username: string;
  /**
   * The password, asked at each request: read from a mounted Secret, a rotated one is asked for
   * from the next request on. A throw answers 503, and the request is not served.
   */
  readonly password: () => string;
}

export interface GitHttpServerOptions {
  /** The folder holding the bare repositories: `<root>/site.git` is served as `/site.git`. */
  readonly root: string;
  readonly host: string;
  /** 0 for any free port. */
  readonly port: number;
  /** Basic authentication for every request, which also allows pushes; without it, fetches only. */
  readonly auth?: GitHttpAuth;
  /** Told of each request refused, without the credentials it came with. */
  readonly onRefused?: (reason: string, path: string) => void;
}

export interface GitHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Smart HTTP: `git http-backend` run as a CGI program for each request, behind node:http. */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const { root, auth, onRefused } = options;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (auth) {
      let password: string;
      try {
        password = auth.password();
      } catch (error) {
        onRefused?.(`no password to check against: ${(error as Error).message}`, url.pathname);
        response.writeHead(503, { 'retry-after': '5' });
        response.end('the server cannot read its password\n');
        return;
      }
      if (!authorized(request.headers.authorization, auth.username, password)) {
        if (request.headers.authorization) onRefused?.('wrong user name or password', url.pathname);
        response.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
        response.end('authentication required\n');
        return;
      }
    }
    runHttpBackend(root, url, request, response, auth?.username);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Compared in constant time: how long a refusal takes says nothing about the password. */
function authorized(header: string | undefined, username: string, password: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function runHttpBackend(
  root: string,
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
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: request.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: header('content-type'),
      ...(request.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      GIT_PROTOCOL: header('git-protocol'),
      REMOTE_ADDR: request.socket.remoteAddress ?? '',
      // http-backend accepts pushes only from a user it is told has authenticated.
      ...(user ? { REMOTE_USER: user } : {}),
    },
  });
  // git that cannot be started is a 500 for this request, not an error that ends the server.
  cgi.on('error', () => {
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });
  // A backend that exits before reading the whole request makes its stdin fail with EPIPE.
  cgi.stdin.on('error', () => {});
  // A client gone mid-fetch takes its backend with it, rather than leave it packing for nobody.
  response.on('close', () => {
    if (cgi.exitCode === null && cgi.signalCode === null) cgi.kill();
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

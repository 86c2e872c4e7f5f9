import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { capInFlight } from './in-flight.ts';
import { refuseBodies } from './request-body.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

// Requests one connection may send ahead of their answers before it is no longer read.
const MAX_IN_FLIGHT = 32;
// How long a refused connection stays open for its answer to arrive before it is closed for good.
const LINGER_MS = 1000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

/** Node.js's parser errors, by what the client did wrong. */
function statusOf(error: NodeJS.ErrnoException): number {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  return 400;
}

/**
 * The HTTP server around the app. A client must send its whole request, body included, within
 * `requestTimeoutMs` (a slow client cannot hold a connection open forever); a request body
 * beyond a few bytes is refused unread; a connection that pipelines requests is read no
 * further ahead than MAX_IN_FLIGHT answers. What Node.js's parser refuses before the app sees
 * it (malformed requests, oversized headers, timeouts) is answered here, with the same security
 * headers as every other response and no detail from inside.
 */
export function createWebServer(app: RequestListener, requestTimeoutMs: number): Server {
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      // How often Node.js looks for requests past their timeout: often enough to honour it.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 4))),
      // Node.js would answer a missing Host itself, without this server's headers; the app does.
      requireHostHeader: false,
    },
    refuseBodies(capInFlight(app, MAX_IN_FLIGHT)),
  );
  // CONNECT asks for a tunnel, which Node.js hands to this event instead of the app.
  server.on('connect', (_request, socket: Socket) => refuse(socket, 405, { allow: 'GET, HEAD' }));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.bytesWritten === 0)) {
      socket.destroy();
      return;
    }
    refuse(socket, statusOf(error));
  });
  return server;
}

/**
 * Answers on the bare socket, for requests that never reach the app, and closes it: reads
 * nothing more, and once the answer had time to arrive, closes it for good, as a client that
 * ignores the end of the connection and keeps sending would otherwise hold it open forever.
 */
function refuse(socket: Socket, status: number, extra: Record<string, string> = {}): void {
  const body = `${REASONS[status]}\n`;
  const headers = {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${head}\r\n${body}`);
  socket.pause();
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(linger));
}

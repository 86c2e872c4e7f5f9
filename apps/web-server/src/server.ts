import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { SECURITY_HEADERS } from './security-headers.ts';

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
 * The HTTP server around the app. A client must send its whole request within `requestTimeoutMs`
 * (a slow client cannot hold a connection open forever), and what Node.js's parser refuses
 * before the app sees it (malformed requests, oversized headers, timeouts) is answered here,
 * with the same security headers as every other response and no detail from inside.
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
    app,
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

/** Answers on the bare socket, for requests that never reach the app, and closes it. */
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
}

import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { overflowStatus, type ParserError } from './header-overflow.ts';
import { capInFlight } from './in-flight.ts';
import { refuse } from './refuse.ts';
import { refuseBodies } from './request-body.ts';

// Requests one connection may send ahead of their answers before it is no longer read.
const MAX_IN_FLIGHT = 32;
/** Node.js's parser errors, by what the client did wrong. */
function statusOf(error: ParserError, socket: Socket): number {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (error.code === 'HPE_HEADER_OVERFLOW') return overflowStatus(error, socket);
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
  server.on('connect', (_request, socket: Socket) =>
    refuse(socket, 405, { headers: { allow: 'GET, HEAD' } }),
  );
  server.on('clientError', (error: ParserError, socket: Socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.bytesWritten === 0)) {
      socket.destroy();
      return;
    }
    refuse(socket, statusOf(error, socket));
  });
  return server;
}

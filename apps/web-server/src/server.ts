import {
  createServer,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type RequestListener,
  type Server,
  ServerResponse,
} from 'node:http';
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

/** Answers by the first digit of their status, 1xx to 5xx at indexes 1 to 5: see metrics.ts. */
export type StatusClassCounts = Float64Array;

export function createStatusClassCounts(): StatusClassCounts {
  return new Float64Array(6);
}

function countStatus(counts: StatusClassCounts, status: number): void {
  const index = (status / 100) | 0;
  // A status outside 100 to 599 is a bug elsewhere: a write past the end of a typed array is dropped.
  counts[index] = (counts[index] as number) + 1;
}

/**
 * A writeHead that counts the status it writes. Every answer passes through writeHead (Node.js's
 * implicit headers, and so express's send, included), so this one place counts them all, with one
 * addition into a typed array: nothing allocated, nothing labelled per request. The server's
 * responses get it, and so must express's (app.ts): express gives each response it handles its
 * own prototype, which leaves the server's out.
 */
export function countingWriteHead(counts: StatusClassCounts): ServerResponse['writeHead'] {
  // One signature for both of Node.js's: a call passes on what it was given, as it was given.
  const writeHead = ServerResponse.prototype.writeHead as (
    this: ServerResponse,
    statusCode: number,
    reason?: unknown,
    headers?: unknown,
  ) => ServerResponse;
  return function countedWriteHead(
    this: ServerResponse,
    statusCode: number,
    reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ) {
    // Counted once written: a second writeHead throws, and is not an answer.
    writeHead.call(this, statusCode, reason, headers);
    countStatus(counts, statusCode);
    return this;
  } as ServerResponse['writeHead'];
}

function countingResponses(counts: StatusClassCounts): typeof ServerResponse {
  class CountingResponse extends ServerResponse {}
  CountingResponse.prototype.writeHead = countingWriteHead(counts);
  return CountingResponse as typeof ServerResponse;
}

/**
 * The HTTP server around the app. A client must send its whole request, body included, within
 * `requestTimeoutMs` (a slow client cannot hold a connection open forever); a request body
 * beyond a few bytes is refused unread; a connection that pipelines requests is read no
 * further ahead than MAX_IN_FLIGHT answers. What Node.js's parser refuses before the app sees
 * it (malformed requests, oversized headers, timeouts) is answered here, with the same security
 * headers as every other response and no detail from inside.
 */
export function createWebServer(
  app: RequestListener,
  requestTimeoutMs: number,
  counts: StatusClassCounts = createStatusClassCounts(),
): Server {
  const server = createServer(
    {
      ServerResponse: countingResponses(counts),
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
  server.on('connect', (_request, socket: Socket) => {
    countStatus(counts, 405);
    refuse(socket, 405, { headers: { allow: 'GET, HEAD' } });
  });
  server.on('clientError', (error: ParserError, socket: Socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.bytesWritten === 0)) {
      socket.destroy();
      return;
    }
    const status = statusOf(error, socket);
    countStatus(counts, status);
    refuse(socket, status);
  });
  return server;
}

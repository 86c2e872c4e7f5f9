import type { IncomingMessage, RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { refuse } from './refuse.ts';

/** The most a request may carry that this server reads (and ignores): it takes no bodies. */
export const MAX_IGNORED_BODY_BYTES = 1024;

function refuseUnread(request: IncomingMessage, socket: Socket): void {
  if (request.method === 'GET' || request.method === 'HEAD') {
    refuse(socket, 413, {
      message: 'Content too large: GET and HEAD take no body',
      head: request.method === 'HEAD',
    });
  } else {
    refuse(socket, 405, { headers: { allow: 'GET, HEAD' } });
  }
}

/**
 * Keeps the server from reading request bodies it has no use for. Node.js reads the rest of
 * a body after the answer, to reach the next request on the connection: a GET could carry a
 * gigabyte. A request that announces more than a few bytes, or a body of unknown length
 * (chunked), is answered at once (413 for GET and HEAD, 405 for any other method, as the app
 * would) and its connection closed, the body unread. A small body is read and ignored, within
 * the request timeout like the headers.
 */
export function refuseBodies(listener: RequestListener): RequestListener {
  return (request, response) => {
    const { 'content-length': length, 'transfer-encoding': encoding } = request.headers;
    if (encoding === undefined && (length === undefined || Number(length) <= MAX_IGNORED_BODY_BYTES)) {
      return listener(request, response);
    }
    // Behind answers still being written on a pipelining connection: refused in its turn.
    if (response.socket === null) response.once('socket', (socket: Socket) => refuseUnread(request, socket));
    else refuseUnread(request, request.socket);
  };
}

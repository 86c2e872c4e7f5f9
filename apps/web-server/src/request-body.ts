import type { RequestListener } from 'node:http';
import { SECURITY_HEADERS } from './security-headers.ts';

/** The most a request may carry that this server reads (and ignores): it takes no bodies. */
export const MAX_IGNORED_BODY_BYTES = 1024;

const TOO_LARGE = 'Content too large: GET and HEAD take no body\n';

/**
 * Keeps the server from reading request bodies it has no use for. Node.js reads the rest of
 * a body after the answer, to reach the next request on the connection: a GET could carry a
 * gigabyte. A GET or HEAD announcing more than a few bytes, or a body of unknown length
 * (chunked), gets 413; any other method with such a body gets the app's answer (405); either
 * way the connection is closed, so the body is never read. A small body is read and ignored,
 * within the request timeout like the headers.
 */
export function refuseBodies(listener: RequestListener): RequestListener {
  return (request, response) => {
    const { 'content-length': length, 'transfer-encoding': encoding } = request.headers;
    if (encoding === undefined && (length === undefined || Number(length) <= MAX_IGNORED_BODY_BYTES)) {
      return listener(request, response);
    }
    response.setHeader('connection', 'close');
    if (request.method !== 'GET' && request.method !== 'HEAD') return listener(request, response);
    response.writeHead(413, 'Content Too Large', {
      ...SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(TOO_LARGE)),
    });
    response.end(TOO_LARGE);
  };
}

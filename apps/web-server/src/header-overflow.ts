import type { Socket } from 'node:net';

/** What Node.js's parser adds to the errors it hands to `clientError`. */
export interface ParserError extends NodeJS.ErrnoException {
  /** The one read the parser failed in: not the request so far, which it keeps no more. */
  readonly rawPacket?: Buffer;
  /** Where in rawPacket it failed. */
  readonly bytesParsed?: number;
}

const LF = 10;
// A method and the space after it: how a request line begins, and what no header line can (a
// field name holds no space, and a folded line begins with one).
const REQUEST_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /;

/**
 * 414 or 431 for a request past Node.js's header limit. Node.js counts the request target and
 * the header fields together, and reports both as HPE_HEADER_OVERFLOW; all it keeps of the
 * request is the read it failed in. When that read holds the start of the line it failed in,
 * the line tells: a request line gets 414. A line that began in an earlier read (a long request
 * that came in several reads, after the first of its connection) gets 431, the answer for the
 * whole head being too large, which it also is.
 */
export function overflowStatus(error: ParserError, socket: Socket): 414 | 431 {
  const packet = error.rawPacket;
  const failedAt = error.bytesParsed;
  if (!Buffer.isBuffer(packet) || typeof failedAt !== 'number' || failedAt > packet.length) return 431;
  // A negative offset would search from the end of the read, not before its start.
  const lineStart = failedAt > 0 ? packet.lastIndexOf(LF, failedAt - 1) + 1 : 0;
  // A read that is all the connection ever sent begins with a request line.
  if (lineStart === 0 && socket.bytesRead !== packet.length) return 431;
  const line = packet.subarray(lineStart, Math.min(failedAt, lineStart + 64)).toString('latin1');
  return REQUEST_LINE.test(line) ? 414 : 431;
}

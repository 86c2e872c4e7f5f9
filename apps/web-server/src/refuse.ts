import type { Socket } from 'node:net';
import { SECURITY_HEADERS } from './security-headers.ts';

// How long a refused connection stays open for its answer to arrive before it is closed for good.
const LINGER_MS = 1000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

export interface Refusal {
  readonly headers?: Readonly<Record<string, string>>;
  /** The body's one line; the reason phrase by default. */
  readonly message?: string;
  /** The answer to a HEAD: the same headers, no body. */
  readonly head?: boolean;
}

/**
 * Answers on the bare socket and closes the connection, for requests the app must not see or
 * whose rest must not be read. It reads nothing more: a client still sending then waits
 * rather than meets a reset that could discard the answer before it reads it. Once the answer
 * had time to arrive, the connection is closed for good, as one whose client ignores the end of
 * the connection and keeps sending would otherwise stay open forever.
 */
export function refuse(socket: Socket, status: number, refusal: Refusal = {}): void {
  const body = `${refusal.message ?? REASONS[status]}\n`;
  const headers = {
    ...SECURITY_HEADERS,
    ...refusal.headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${head}\r\n${refusal.head ? '' : body}`);
  socket.pause();
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(linger));
}

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PATIENCE_MS } from './patience.ts';

export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Milliseconds from the first byte sent to the connection's end. */
  readonly ms: number;
  /** The client closed the connection at `timeoutMs`: the server had not. */
  readonly timedOut: boolean;
}

/**
 * Sends bytes exactly as given (no client library between, so nothing is normalised or
 * refused on the way) and reads the answer until the server closes the connection. Chunks
 * with `delayMs` are sent one by one, as a slow client does, until they run out or the
 * connection closes: `endless` ones keep coming as long as the server listens.
 * `halfOpen` keeps sending after the server has ended its side, as a client that ignores it
 * does: only the server closing the connection for good ends the answer then. The client gives
 * up after `timeoutMs` (PATIENCE_MS).
 */
export async function rawRequest(
  port: number,
  request: string | Buffer | Iterable<string | Buffer>,
  {
    delayMs = 0,
    timeoutMs = PATIENCE_MS,
    halfOpen = false,
  }: { delayMs?: number; timeoutMs?: number; halfOpen?: boolean } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: halfOpen });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    socket.destroy();
  }, timeoutMs);
  await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), ended]);
  const parts = typeof request === 'string' || Buffer.isBuffer(request) ? [request] : request;
  for (const part of parts) {
    if (socket.destroyed) break;
    socket.write(part);
    if (delayMs > 0) await sleep(delayMs);
  }
  await ended;
  clearTimeout(timer);
  return { ...parseAnswer(Buffer.concat(received)), ms: Date.now() - started, timedOut };
}

/** The chunks of `start` (of a string, one character each), then `piece` again and again, with no end. */
export function* endless(start: Iterable<string>, piece: string): Generator<string> {
  yield* start;
  for (;;) yield piece;
}

function parseAnswer(bytes: Buffer): Omit<RawAnswer, 'ms' | 'timedOut'> {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: bytes.toString('utf8') };
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: bytes.subarray(end + 4).toString('utf8') };
}

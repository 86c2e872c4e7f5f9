import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Calls `onAnswer` for each answer the server sends on the socket, in the order they come:
 * several answers to pipelined requests, or one at a time. Bodies are read by Content-Length,
 * which every answer of this server has (none to HEAD here).
 */
export function onAnswers(socket: Socket, onAnswer: (answer: Answer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const [statusLine = '', ...lines] = pending.subarray(0, headEnd).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body =
        headers['transfer-encoding'] === 'chunked'
          ? chunkedBody(pending, headEnd + 4)
          : fixedBody(pending, headEnd + 4, Number(headers['content-length'] ?? 0));
      if (body === undefined) return;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      onAnswer({ status, headers, body: body.text });
      pending = pending.subarray(body.end);
    }
  });
}

interface Body {
  readonly text: string;
  /** Where the next answer starts. */
  readonly end: number;
}

function fixedBody(bytes: Buffer, start: number, length: number): Body | undefined {
  if (bytes.length < start + length) return undefined;
  return { text: bytes.subarray(start, start + length).toString('utf8'), end: start + length };
}

/** A chunked body (the health answers have one), or undefined until all of it has arrived. */
function chunkedBody(bytes: Buffer, start: number): Body | undefined {
  const chunks: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (bytes.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
    if (size === 0) return { text: Buffer.concat(chunks).toString('utf8'), end: at };
  }
}

export interface KeptConnection {
  /** Sends one GET on the connection and resolves with its answer. */
  get(path: string): Promise<Answer>;
  close(): void;
}

/**
 * One keep-alive connection, opened now and used later: a request on it needs no new
 * descriptor on the server's side, so it still reaches a server that cannot accept more.
 */
export async function keptConnection(port: number): Promise<KeptConnection> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const waiting: { resolve: (answer: Answer) => void; reject: (error: Error) => void }[] = [];
  onAnswers(socket, (answer) => waiting.shift()?.resolve(answer));
  const fail = () => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error('the server closed the connection'));
  };
  socket.on('close', fail);
  socket.on('error', fail);
  return {
    get(path) {
      return new Promise((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('the server closed the connection'));
        waiting.push({ resolve, reject });
        socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

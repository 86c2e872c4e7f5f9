import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { PATIENCE_MS } from './patience.ts';

/** One message of a Server-Sent Events stream: an event, or a comment (`event: 'comment'`). */
export interface StreamMessage {
  readonly event: string;
  readonly data: string;
}

export interface EventStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every message so far, in order. */
  readonly messages: StreamMessage[];
  /**
   * Resolves with the next message named `event` (after those already read); fails once the
   * stream ends without one, or after PATIENCE_MS.
   */
  next(event: string): Promise<StreamMessage>;
  /** Resolves once the server has ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * Opens a Server-Sent Events stream as a browser's EventSource does, and parses what arrives:
 * the tests read the same bytes a page would.
 */
export function openEventStream(url: URL | string, path: string): Promise<EventStream> {
  const base = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, path, headers: { accept: 'text/event-stream' } },
      (res) => {
        const messages: StreamMessage[] = [];
        const read = new Map<string, number>();
        let waiters: (() => void)[] = [];
        let buffer = '';
        const wake = () => {
          for (const waiter of waiters) waiter();
          waiters = [];
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = block.split('\n');
            const field = (name: string) =>
              fields
                .filter((line) => line.startsWith(`${name}:`))
                .map((line) => line.slice(name.length + 1).trim());
            const comment = fields.every((line) => line.startsWith(':') || line.startsWith('retry:'));
            messages.push({
              event: comment ? 'comment' : (field('event')[0] ?? 'message'),
              data: comment ? fields.join('\n') : field('data').join('\n'),
            });
          }
          wake();
        });
        const ended = new Promise<void>((done) => res.on('close', done));
        ended.then(wake);
        let finished = false;
        ended.then(() => {
          finished = true;
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          messages,
          ended,
          close: () => req.destroy(),
          async next(event) {
            // Not a timer of the global kind: a test may drive those with mock timers meanwhile.
            const patience = AbortSignal.timeout(PATIENCE_MS);
            patience.addEventListener('abort', wake);
            for (;;) {
              const from = read.get(event) ?? 0;
              const index = messages.findIndex((message, at) => at >= from && message.event === event);
              if (index !== -1) {
                read.set(event, index + 1);
                return messages[index] as StreamMessage;
              }
              if (finished) throw new Error(`the stream ended before a "${event}" event`);
              if (patience.aborted) throw new Error(`no "${event}" event within ${PATIENCE_MS} ms`);
              await new Promise<void>((wakeUp) => waiters.push(wakeUp));
            }
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileResource } from './lookup.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

/** The script pages include to update themselves (`LIVE_UPDATE_PATHS.script`). */
export const LIVE_UPDATE_SCRIPT = fileResource(
  readFileSync(new URL('./assets/live-update.js', import.meta.url)),
  {
    contentType: 'text/javascript; charset=utf-8',
    lastModified: new Date().toUTCString(),
    negotiated: false,
  },
);

export interface LiveUpdatesOptions {
  /**
   * Changes closer together than this make one event: the writer renames its files within a
   * millisecond or two, and a page fetched after the first rename would miss the others.
   */
  readonly settleMs?: number;
  /** A folder that never stops changing still gets an event at least this often. */
  readonly maxDelayMs?: number;
  /** A comment this often keeps proxies (kubectl port-forward, an ingress) from closing an idle stream. */
  readonly heartbeatMs?: number;
  /** Streams open at once; past this, a browser is told to try again in 10 s. */
  readonly maxClients?: number;
}

export interface LiveUpdates {
  /** Called on every change the folder's watch reports. */
  changed(): void;
  /** Answers `GET /.live/events` with a stream of Server-Sent Events that stays open. */
  subscribe(request: IncomingMessage, response: ServerResponse): void;
  /** Streams open now. */
  clients(): number;
  /** Ends every stream, so that the server can stop. */
  close(): void;
}

/** How long a browser turned away by a full or stopping server waits before it asks again. */
const BUSY_RETRY_MS = 10_000;
const MAX_BUFFERED_BYTES = 64 * 1024;

const STREAM_HEADERS = {
  ...SECURITY_HEADERS,
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx and ingress-nginx buffer responses unless told not to; events must arrive at once.
  'x-accel-buffering': 'no',
};

/**
 * Tells browsers that the served folder changed: each open page gets one `change` event per
 * settled burst of changes and fetches itself again. An event carries no content, so a
 * stream cannot serve anything the folder does not; a page that reconnects after a dropped
 * stream fetches itself again too, so it never misses a change.
 */
export function createLiveUpdates(options: LiveUpdatesOptions = {}): LiveUpdates {
  const settleMs = options.settleMs ?? 25;
  const maxDelayMs = options.maxDelayMs ?? 250;
  const maxClients = options.maxClients ?? 1000;
  const streams = new Set<ServerResponse>();
  let settle: NodeJS.Timeout | undefined;
  let firstPendingAt: number | undefined;

  let closed = false;
  const send = (chunk: string) => {
    for (const stream of streams) {
      // A client that stopped reading gets dropped rather than buffered without end; its
      // browser reconnects and fetches the page again.
      if (stream.writableLength > MAX_BUFFERED_BYTES) stream.destroy();
      else stream.write(chunk);
    }
  };
  const announce = () => {
    settle = undefined;
    firstPendingAt = undefined;
    send(`event: change\ndata: ${new Date().toISOString()}\n\n`);
  };
  const heartbeat = setInterval(() => send(': still here\n\n'), options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    changed() {
      if (streams.size === 0) return;
      const now = Date.now();
      firstPendingAt ??= now;
      clearTimeout(settle);
      settle = setTimeout(announce, Math.max(0, Math.min(settleMs, firstPendingAt + maxDelayMs - now)));
    },
    subscribe(request, response) {
      response.writeHead(200, STREAM_HEADERS);
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      // A browser's EventSource gives up for good on any status but 200: a full or stopping
      // server answers 200 with a later retry time and ends the stream, so the page comes back.
      if (closed || streams.size >= maxClients) {
        response.end(`retry: ${BUSY_RETRY_MS}\n: busy, try again later\n\n`);
        return;
      }
      // How long a browser waits before it reconnects after the stream drops.
      response.write('retry: 2000\n: connected\n\n');
      streams.add(response);
      response.on('close', () => streams.delete(response));
    },
    clients: () => streams.size,
    close() {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(settle);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

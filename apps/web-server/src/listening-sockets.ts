import type { Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';

/**
 * How many listening sockets share the web server's port. libuv, since 1.45 (Node.js 20),
 * accepts one connection per listening socket and event loop iteration, and an iteration of a
 * busy server answers every connection with a request waiting (about 15 ms with 1,000 of them
 * on one core), so of 1,000 connections opened at once the last waited in the kernel's queue
 * for seconds (docs/benchmarks.md, "The tail at 1,000 connections"). Each socket accepts one more
 * per iteration; the kernel spreads new connections over them by a hash of their addresses,
 * unevenly. 256 accept 1,000 in about 11 iterations (64: 28) for 2 MB of memory and 255
 * descriptors, which a pod's limit of open files (a million, usually) does not miss.
 */
export const LISTENING_SOCKETS = 256;

export interface Listening {
  /** The address bound (port 0 picks a free one). */
  readonly url: URL;
  /** How many sockets listen: one where the platform has no SO_REUSEPORT. */
  readonly sockets: number;
  /** Stops every socket listening; `server` still has to be closed. */
  close(): Promise<void>;
}

function listenOn(target: Server | NetServer, options: { port: number; host: string; reusePort?: boolean }) {
  return new Promise<void>((resolve, reject) => {
    target.once('error', reject);
    target.listen(options, () => {
      target.off('error', reject);
      resolve();
    });
  });
}

function closeListener(target: NetServer): Promise<void> {
  return new Promise((resolve) => target.close(() => resolve()));
}

function urlOf(server: Server): URL {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server is not listening on TCP');
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return new URL(`http://${shownHost}:${address.port}/`);
}

/**
 * Listens on `port` with `count` sockets (SO_REUSEPORT), each handing what it accepts to
 * `server`, so that a burst of new connections is accepted in a few iterations of the loop.
 *
 * SO_REUSEPORT would also let a second copy of this server, started by the same user, share
 * the port and take half of its connections without a word. So the port is first bound the
 * ordinary way, which fails with EADDRINUSE while anything listens on it, sockets of an earlier
 * copy included; and once this copy's sockets listen, another's ordinary bind fails the same
 * way. Where the platform refuses SO_REUSEPORT (macOS, Windows), one ordinary socket listens.
 */
export async function listenOnSockets(
  server: Server,
  port: number,
  host: string,
  count = LISTENING_SOCKETS,
): Promise<Listening> {
  if (port !== 0) {
    const probe = createNetServer();
    await listenOn(probe, { port, host });
    await closeListener(probe);
  }
  try {
    await listenOn(server, { port, host, reusePort: count > 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTSUP') throw error;
    await listenOn(server, { port, host });
    return { url: urlOf(server), sockets: 1, close: async () => {} };
  }
  const url = urlOf(server);
  const more: NetServer[] = [];
  try {
    for (let index = 1; index < count; index += 1) {
      // As Node.js's HTTP server sets its own sockets: no Nagle delay for small answers.
      const listener = createNetServer({ noDelay: true }, (socket) => server.emit('connection', socket));
      await listenOn(listener, { port: Number(url.port), host, reusePort: true });
      more.push(listener);
    }
  } catch (error) {
    await Promise.all(more.map(closeListener));
    server.close();
    throw error;
  }
  return {
    url,
    sockets: count,
    close: async () => {
      await Promise.all(more.map(closeListener));
    },
  };
}

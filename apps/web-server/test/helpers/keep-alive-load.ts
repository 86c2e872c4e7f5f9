import { connect } from 'node:net';

/**
 * Asks for `count` paths, `path(i)` for i from 0, over `connections` keep-alive connections,
 * one request at a time on each, as a crowd of browsers would; returns how many answers came
 * with each status. Sent as raw bytes, so that every spelling of a path reaches the server as
 * written. Every answer of this server has a Content-Length, which says where it ends.
 */
export async function keepAliveLoad(
  url: URL,
  path: (i: number) => string,
  { count, connections = 8 }: { count: number; connections?: number },
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const oneConnection = () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let pending: Buffer = Buffer.alloc(0);
      const send = () => {
        if (next >= count) {
          socket.end();
          resolve();
          return;
        }
        socket.write(`GET ${path(next++)} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('close', () =>
        next < count ? reject(new Error('the server closed a connection')) : resolve(),
      );
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.subarray(0, end).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (pending.length < end + 4 + length) return;
          const status = Number(head.slice(9, 12));
          statuses[status] = (statuses[status] ?? 0) + 1;
          pending = pending.subarray(end + 4 + length);
          send();
        }
      });
    });
  await Promise.all(Array.from({ length: connections }, oneConnection));
  return statuses;
}

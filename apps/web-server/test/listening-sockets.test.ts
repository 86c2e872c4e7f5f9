import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { describe, it } from 'node:test';
import { closeServer } from '@fortune-sidecar/common';
import { eventually } from '@fortune-sidecar/testing';
import { LISTENING_SOCKETS, listenOnSockets } from '../src/listening-sockets.ts';

/** Sockets in the LISTEN state on `port`, from the kernel's own table. */
function listeningOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A';
    }).length;
}

// Opens `count` connections to `port`, waits until the kernel has completed every one, and
// exits: they stay in the listening sockets' queues until the server accepts them.
const OPEN_CONNECTIONS = `
const { connect } = require('node:net');
const [port, count] = process.argv.slice(1).map(Number);
let open = 0;
for (let i = 0; i < count; i += 1) {
  connect(port, '127.0.0.1', () => { open += 1; if (open === count) process.exit(0); }).on('error', (e) => { throw e; });
}`;

function answer(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('the web server listening on many sockets of one port', () => {
  it(`listens with ${LISTENING_SOCKETS} sockets, and the one server answers what each accepts`, async () => {
    const server = createServer((_request, response) => response.end('fortune\n'));
    const listening = await listenOnSockets(server, 0, '127.0.0.1');
    try {
      assert.equal(listening.sockets, LISTENING_SOCKETS);
      assert.equal(listeningOn(Number(listening.url.port)), LISTENING_SOCKETS);
      const statuses = await Promise.all(Array.from({ length: 200 }, () => answer(listening.url)));
      assert.deepEqual(new Set(statuses), new Set([200]));
    } finally {
      await Promise.all([listening.close(), closeServer(server)]);
    }
  });

  it('accepts a burst of queued connections in a few turns of the event loop, not one turn each', async () => {
    const burst = 300;
    const server = createServer((_request, response) => response.end());
    const listening = await listenOnSockets(server, 0, '127.0.0.1');
    let turn = 0;
    let counting = true;
    const countTurns = () => {
      turn += 1;
      if (counting) setImmediate(countTurns);
    };
    const turnsWithAccepts = new Set<number>();
    let accepted = 0;
    server.on('connection', () => {
      accepted += 1;
      turnsWithAccepts.add(turn);
    });
    try {
      // The loop is blocked meanwhile: every connection waits in a queue, as behind a busy turn.
      execFileSync(process.execPath, ['-e', OPEN_CONNECTIONS, listening.url.port, String(burst)]);
      countTurns();
      await eventually(() => (accepted === burst ? true : undefined), {
        what: `${burst} connections accepted`,
      });
      // One socket takes 300 turns; many take as many as the longest queue the hash made.
      assert.ok(turnsWithAccepts.size <= burst / 5, `accepted over ${turnsWithAccepts.size} turns`);
    } finally {
      counting = false;
      await Promise.all([listening.close(), closeServer(server)]);
    }
  });

  it('refuses a port already listened on, even by sockets that allow sharing it', async () => {
    const other = createNetServer();
    await new Promise<void>((resolve) =>
      other.listen({ port: 0, host: '127.0.0.1', reusePort: true }, resolve),
    );
    const port = (other.address() as { port: number }).port;
    const server = createServer();
    try {
      await assert.rejects(listenOnSockets(server, port, '127.0.0.1'), { code: 'EADDRINUSE' });
      assert.equal(listeningOn(port), 1, 'only the other listener');
    } finally {
      other.close();
    }
  });

  it('a second copy on the same port is refused while the first listens', async () => {
    const first = createServer();
    const listening = await listenOnSockets(first, 0, '127.0.0.1');
    try {
      await assert.rejects(listenOnSockets(createServer(), Number(listening.url.port), '127.0.0.1'), {
        code: 'EADDRINUSE',
      });
      assert.equal(listeningOn(Number(listening.url.port)), LISTENING_SOCKETS);
    } finally {
      await Promise.all([listening.close(), closeServer(first)]);
    }
  });

  it('stops listening on every socket when closed', async () => {
    const server = createServer();
    const listening = await listenOnSockets(server, 0, '127.0.0.1');
    const port = Number(listening.url.port);
    await Promise.all([listening.close(), closeServer(server)]);
    assert.equal(listeningOn(port), 0);
    await assert.rejects(
      new Promise((resolve, reject) => connect(port, '127.0.0.1', resolve as () => void).on('error', reject)),
      { code: 'ECONNREFUSED' },
    );
  });
});

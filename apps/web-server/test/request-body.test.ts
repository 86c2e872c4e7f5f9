// Request bodies, which this server has no use for: a GET or HEAD that announces one beyond a
// few bytes is refused unread, and a small one must arrive within WEB_REQUEST_TIMEOUT like the
// headers. The clients here ignore the server's end of the connection and keep sending, as a
// hostile one does: only the server closing the connection for good stops them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { endless, eventually, rawRequest, resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);

const root = await tempDir();
await writeFile(join(root, 'index.txt'), 'A fortune.\n');
const { server, url } = await startServerProcess(root);
const port = Number(url.port);
const pid = server.child.pid as number;
// A server whose request timeout is short enough to wait for, for the bodies it must cut.
const timing = await startServerProcess(root, { WEB_REQUEST_TIMEOUT: '200ms' });
const timingPort = Number(timing.url.port);

/** Bytes the server has read, from its sockets and files alike (rchar in /proc/<pid>/io). */
async function bytesRead(): Promise<number> {
  return Number(/^rchar: (\d+)$/m.exec(await readFile(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

// The client gives up only if the server never closes the connection. Node.js ends a request
// after 300 s by itself: giving up at two minutes tells WEB_REQUEST_TIMEOUT (10 min, or 200 ms on
// the timing server) doing it from that default, however busy the machine.
const CLIENT_PATIENCE_MS = 120_000;
const head = (path: string, framing: string) =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${framing}\r\n\r\n`;
/** A body sent a piece at a time, one every `delayMs`, until the connection closes. */
const trickled = (request: string, piece: string, delayMs: number, to = port) =>
  rawRequest(to, endless([request], piece), { delayMs, timeoutMs: CLIENT_PATIENCE_MS, halfOpen: true });

describe('request bodies', () => {
  it('cuts a small body trickled after a GET at WEB_REQUEST_TIMEOUT and closes the connection', async () => {
    // The timeout counts from the connection: a client that a busy machine holds back before it
    // sends the GET is cut before the GET is read, which is not the case here. It tries again.
    const answer = await eventually(async () => {
      const tried = await trickled(head('/index.txt', 'Content-Length: 1000'), 'a', 50, timingPort);
      return tried.status === 408 && tried.body === 'Request Timeout\n' ? undefined : tried;
    });
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^A fortune\.\nHTTP\/1\.1 408 /);
    assert.equal(answer.timedOut, false, 'the server never closed the connection');
  });

  it('refuses a chunked body on GET with 413 and closes the connection', async () => {
    const answer = await trickled(head('/index.txt', 'Transfer-Encoding: chunked'), '1\r\na\r\n', 50);
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.connection, 'close');
    assert.equal(answer.timedOut, false, 'the server never closed the connection');
  });

  it('refuses a body on HEAD with 413', async () => {
    const answer = await rawRequest(
      port,
      'HEAD / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n',
    );
    assert.equal(answer.status, 413);
    assert.equal(answer.body, '');
  });

  it('reads and ignores a body of a few bytes on GET', async () => {
    const answer = await rawRequest(
      port,
      `${head('/index.txt', 'Content-Length: 5')}hello${head('/index.txt', 'Connection: close')}`,
    );
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^A fortune\.\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nA fortune\.\n$/);
  });

  const trickles = 2000;
  it(`closes all of ${trickles.toLocaleString('en')} connections trickling GET bodies`, async () => {
    const answers = await Promise.all(
      Array.from({ length: trickles }, (_, i) =>
        i % 2 === 0
          ? trickled(head('/', 'Content-Length: 1000'), 'a', 500, timingPort)
          : trickled(head('/', 'Transfer-Encoding: chunked'), '1\r\na\r\n', 500, timingPort),
      ),
    );
    const open = answers.filter((answer) => answer.timedOut).length;
    bounds.push({
      tried: `${trickles.toLocaleString('en')} connections trickling a GET body (half chunked, half Content-Length) and ignoring the server's end`,
      bound: 'the server closes every one (413 at once, or 408 at WEB_REQUEST_TIMEOUT)',
      measured: `${open} left open after ${CLIENT_PATIENCE_MS / 1000} s; the last closed after ${(Math.max(...answers.map((answer) => answer.ms)) / 1000).toFixed(1)} s`,
    });
    assert.equal(open, 0);
  });

  it('refuses a 1 GB body on GET with 413, having read almost none of it', async () => {
    const announced = 1024 ** 3;
    const before = await bytesRead();
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => {
      socket.on('close', resolve);
      socket.on('error', resolve);
    });
    socket.write(head('/index.txt', `Content-Length: ${announced}`));
    const megabyte = Buffer.alloc(1024 * 1024);
    let sent = 0;
    while (sent < announced && !socket.destroyed) {
      sent += megabyte.length;
      if (!socket.write(megabyte)) await Promise.race([once(socket, 'drain'), closed]);
    }
    await closed;
    const read = (await bytesRead()) - before;
    const maxMb = 16;
    bounds.push({
      tried: 'a GET announcing a 1 GB body, sent as fast as the server takes it',
      bound: `refused with 413; the server reads under ${maxMb} MB of it`,
      measured: `${(read / 1024 ** 2).toFixed(1)} MB read`,
    });
    assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 413 /);
    assert.ok(read < maxMb * 1024 ** 2, `the server read ${read} bytes`);
  });
});

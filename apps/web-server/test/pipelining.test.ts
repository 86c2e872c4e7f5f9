// One connection that pipelines requests faster than they are answered: the server reads no
// further ahead than a few dozen answers, so its memory stays bounded, and answers every request
// in the order asked. The server runs with the heap Node.js sizes for the web server's container.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { onAnswers } from './helpers/answers.ts';
import { memoryOf } from './helpers/process-resources.ts';
import { HEAP_OF_A_128MI_CONTAINER, startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);

// Answered after a look at the disk or the cache's promise (404, 301), and at once from the cache (200).
const CYCLE = [
  { path: '/nope', status: 404 },
  { path: '/index.txt', status: 200 },
  { path: '/sub', status: 301 },
  { path: '/index.txt', status: 200 },
] as const;

describe('one connection pipelining requests', () => {
  const requests = 100_000;
  const maxRssMb = 120;
  it(`answers ${requests.toLocaleString('en')} pipelined requests in order, with RSS under ${maxRssMb} MB`, async () => {
    const root = await tempDir();
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'index.txt'), 'A fortune.\n');
    const { server, url } = await startServerProcess(root, HEAP_OF_A_128MI_CONTAINER);
    const pid = server.child.pid as number;
    const before = (await memoryOf(pid)).peak;

    const socket = connect(Number(url.port), '127.0.0.1');
    await once(socket, 'connect');
    let answered = 0;
    let unexpected = 0;
    const allAnswered = new Promise<void>((resolve, reject) => {
      onAnswers(socket, (answer) => {
        const asked = CYCLE[answered % CYCLE.length] as (typeof CYCLE)[number];
        if (answer.status !== asked.status || (asked.status === 200 && answer.body !== 'A fortune.\n'))
          unexpected += 1;
        answered += 1;
        if (answered === requests) resolve();
      });
      socket.on('close', () => reject(new Error(`connection closed after ${answered} answers`)));
    });
    const batch = Buffer.from(
      CYCLE.map(({ path }) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
        .join('')
        .repeat(250),
    );
    for (let sent = 0; sent < requests; sent += CYCLE.length * 250) {
      if (!socket.write(batch)) await once(socket, 'drain');
    }
    await allAnswered;
    socket.destroy();

    const { peak } = await memoryOf(pid);
    bounds.push({
      tried: `${requests.toLocaleString('en')} requests pipelined on one connection (404, 200, 301, 200, …)`,
      bound: `every one answered in order; RSS stays under ${maxRssMb} MB`,
      measured: `${peak.toFixed(0)} MB at most (${before.toFixed(0)} MB before)`,
    });
    assert.equal(unexpected, 0, 'answers out of order or wrong');
    assert.ok(peak < maxRssMb, `RSS reached ${peak.toFixed(1)} MB`);
  });
});

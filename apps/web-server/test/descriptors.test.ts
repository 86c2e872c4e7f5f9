// The web server's file descriptors: a download the client abandons gives its file back, and a
// process that can open no more files says so on /healthz, so that the kubelet restarts it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { eventually, resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { keptConnection } from './helpers/answers.ts';
import { startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);

const openDescriptors = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

/** The count once it holds still: what the server keeps open when nothing happens. */
const settledDescriptors = (pid: number) =>
  eventually(async () => {
    const count = await openDescriptors(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return count === (await openDescriptors(pid)) ? count : undefined;
  });

/** Asks for the file and goes away at its first bytes, as a browser closed mid-download. */
function abortedDownload(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.once('data', () => socket.destroy());
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  });
}

/** A connection that sends nothing: it holds one of the server's descriptors. */
function idleConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

async function siteWithLargeFile(): Promise<string> {
  const root = await tempDir();
  await writeFile(join(root, 'index.txt'), 'A fortune.\n');
  await writeFile(join(root, 'other.txt'), 'Another fortune.\n');
  // Over the 1 MB kept in memory: streamed from disk on every request.
  await writeFile(join(root, 'big.bin'), randomBytes(3 * 1024 * 1024));
  return root;
}

describe('web-server file descriptors', () => {
  const aborted = 5000;
  const margin = 16;
  it(`gives back the file of each of ${aborted.toLocaleString('en')} downloads abandoned mid-way`, async () => {
    const { server, url } = await startServerProcess(await siteWithLargeFile());
    const pid = server.child.pid as number;
    const port = Number(url.port);
    await abortedDownload(port, '/big.bin');
    const before = await settledDescriptors(pid);

    for (let started = 0; started < aborted; started += 100) {
      await Promise.all(Array.from({ length: 100 }, () => abortedDownload(port, '/big.bin')));
    }
    const row = {
      tried: `${aborted.toLocaleString('en')} aborted downloads of a 3 MB file`,
      bound: `open descriptors come back to within ${margin} of the count before`,
    };
    try {
      await eventually(async () => ((await openDescriptors(pid)) <= before + margin ? true : undefined), {
        what: `at most ${before + margin} open descriptors (${before} before)`,
      });
    } finally {
      bounds.push({ ...row, measured: `${await openDescriptors(pid)} open after, ${before} before` });
    }
  });

  it('gives back the files of downloads pipelined on one connection that the client closes unread', async () => {
    const { server, url } = await startServerProcess(await siteWithLargeFile());
    const pid = server.child.pid as number;
    const before = await settledDescriptors(pid);
    const connections = 20;
    const pipelined = 33;
    const row = {
      tried: `${connections} connections, each pipelining ${pipelined} downloads of a 3 MB file and closing unread`,
      bound: `open descriptors come back to within ${margin} of the count before`,
    };
    await Promise.all(
      Array.from(
        { length: connections },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(Number(url.port), '127.0.0.1');
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
            // The first bytes of the first answer: every other request is queued behind it by now.
            socket.once('data', () => socket.destroy());
            socket.write('GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(pipelined));
          }),
      ),
    );
    try {
      await eventually(async () => ((await openDescriptors(pid)) <= before + margin ? true : undefined), {
        what: 'the files of the closed connections closed',
      });
    } finally {
      bounds.push({ ...row, measured: `${await openDescriptors(pid)} open after, ${before} before` });
    }
  });

  it('fails /healthz while it cannot open files, and passes again once it can', async () => {
    // Idle connections hold the descriptors for the whole test: the request timeout is long.
    const { server, url } = await startServerProcess(await siteWithLargeFile());
    const pid = server.child.pid as number;
    const port = Number(url.port);
    const limit = (await settledDescriptors(pid)) + 40;
    await promisify(execFile)('prlimit', [`--pid=${pid}`, `--nofile=${limit}:${limit}`]);
    // Opened before the others take every descriptor: the probe needs no new one then.
    const probe = await keptConnection(port);
    assert.equal((await probe.get('/healthz')).status, 200);
    assert.equal((await probe.get('/index.txt')).status, 200, 'in the cache from now on');
    // More connections than descriptors left: the server closes those it cannot take.
    const held: Socket[] = [];
    let refused = 0;
    for (let i = 0; i < 60; i += 1) {
      const socket = await idleConnection(port);
      socket.on('close', () => {
        refused += 1;
      });
      held.push(socket);
    }
    await eventually(() => (refused > 0 ? true : undefined), {
      what: 'a connection the server could not take',
    });

    const unhealthy = await probe.get('/healthz');
    assert.equal(unhealthy.status, 503);
    assert.match(unhealthy.body, /EMFILE/);
    await server.waitForLog('Cannot open files');
    const existing = await probe.get('/other.txt');
    assert.equal(existing.status, 503, 'a file that is there is never said to be missing');
    assert.equal(existing.headers['retry-after'], '1');
    // Past the cache's 100 ms, each answer from memory starts a check of the disk, which fails.
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal((await probe.get('/index.txt')).status, 200, 'a cached file is still served from memory');
    }

    for (const socket of held) socket.destroy();
    await eventually(async () => ((await openDescriptors(pid)) < limit - 30 ? true : undefined), {
      what: 'the idle connections closed',
    });
    assert.equal((await probe.get('/healthz')).status, 200);
    await server.waitForLog('Can open files again');
    assert.equal((await probe.get('/big.bin')).status, 200);
    assert.equal((await probe.get('/other.txt')).status, 200);
    bounds.push({
      tried: 'every descriptor taken (a limit of 40 more than at rest, all held by idle connections)',
      bound: '/healthz answers 503 with EMFILE, then 200 once descriptors are free',
      measured: `503 "${unhealthy.body.trim()}"`,
    });
    probe.close();
  });
});

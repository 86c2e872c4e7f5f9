import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { closeServer, listen } from '@fortune-sidecar/common';
import { capInFlight } from '../src/in-flight.ts';
import { type Answer, onAnswers } from './helpers/answers.ts';

describe('the cap on requests in flight on one connection', () => {
  it('hands the app no more than the cap at once, and every answer goes out in the order asked', async () => {
    const max = 4;
    let inApp = 0;
    let mostInApp = 0;
    // Each answer takes its own time, so later requests often finish before earlier ones.
    const server = createServer(
      capInFlight((request, response) => {
        inApp += 1;
        mostInApp = Math.max(mostInApp, inApp);
        setTimeout(() => {
          inApp -= 1;
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end(request.url);
        }, Math.random() * 3);
      }, max),
    );
    const url = await listen(server, 0, '127.0.0.1');
    after(() => closeServer(server));

    const socket = connect(Number(url.port), '127.0.0.1');
    await once(socket, 'connect');
    const requests = 1000;
    const answers: Answer[] = [];
    const done = new Promise<void>((resolve) =>
      onAnswers(socket, (answer) => {
        if (answers.push(answer) === requests) resolve();
      }),
    );
    socket.write(
      Array.from({ length: requests }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: localhost\r\n\r\n`).join(''),
    );
    await done;
    socket.destroy();
    assert.deepEqual(
      answers.map((answer) => answer.body),
      Array.from({ length: requests }, (_, i) => `/${i}`),
    );
    // The first request of the connection has its socket and is not counted.
    assert.ok(mostInApp <= max + 1, `${mostInApp} requests in the app at once`);
  });
});

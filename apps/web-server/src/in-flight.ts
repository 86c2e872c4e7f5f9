import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  /** Requests handed to the app whose answers are not yet written to the socket. */
  answering: number;
  /** Requests read and not yet handed to the app, oldest first. */
  readonly parked: [IncomingMessage, ServerResponse][];
  paused: boolean;
}

/**
 * Bounds the requests one connection has pipelined ahead of their answers. Node.js stops
 * reading such a connection only once written answers pile up unsent, but an answer that
 * waits for the disk (a 404, a redirect, a cache miss) has written nothing yet: one connection
 * could send requests without end, each held in memory with the work it started.
 *
 * Past `max` answers in progress, a request is parked (Node.js parses everything one read
 * brought, up to 64 KB of requests) and the connection is no longer read; parked requests go
 * to the app as answers are written, and reading starts again once the connection is down to
 * half of `max`. Answers still go out in the order asked. Only a request that arrives while an
 * earlier answer on its connection is being written costs anything here: its response has no
 * socket yet, as Node.js queues it.
 */
export function capInFlight(listener: RequestListener, max: number): RequestListener {
  const connections = new WeakMap<Socket, Connection>();

  function connectionOf(socket: Socket): Connection {
    let connection = connections.get(socket);
    if (connection === undefined) {
      const created: Connection = { answering: 0, parked: [], paused: false };
      // Node.js resumes the socket once its own backlog drains: not while this one is full.
      socket.on('resume', () => {
        if (created.paused) socket.pause();
      });
      connections.set(socket, created);
      connection = created;
    }
    return connection;
  }

  function answer(
    socket: Socket,
    connection: Connection,
    request: IncomingMessage,
    response: ServerResponse,
  ) {
    connection.answering += 1;
    response.once('finish', () => {
      connection.answering -= 1;
      const next = connection.parked.shift();
      if (next) answer(socket, connection, ...next);
      else if (connection.paused && connection.answering <= max / 2) {
        connection.paused = false;
        socket.resume();
      }
    });
    listener(request, response);
  }

  return (request, response) => {
    if (response.socket !== null) return listener(request, response);
    const socket = request.socket;
    const connection = connectionOf(socket);
    if (connection.answering < max) return answer(socket, connection, request, response);
    connection.parked.push([request, response]);
    if (!connection.paused) {
      connection.paused = true;
      socket.pause();
    }
  };
}

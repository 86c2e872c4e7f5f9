// A minimal reproduction: Node.js accepts one connection per listening socket and turn of its
// event loop (libuv 1.45 and later, since libuv#3696), so connections that arrive while the loop
// is busy wait in the kernel's queue, one turn each. No load generator needed:
//
//   node packages/bench/src/accept-repro.mjs [connections] [listening sockets]
//
// It blocks its own loop while a child process opens the connections (the kernel completes
// them, as it does behind a busy turn), then counts the turns it takes to accept them. With
// one socket that is one turn per connection; under load a turn answers every connection with
// a request waiting (about 10 ms with 1,000 of them on one core), hence seconds of wait.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';

const connections = Number(process.argv[2] ?? 500);
const sockets = Number(process.argv[3] ?? 1);

const server = createServer((_request, response) => response.end());
const listen = (target, options) => new Promise((resolve) => target.listen(options, resolve));
await listen(server, { port: 0, host: '127.0.0.1', reusePort: sockets > 1 });
const { port } = server.address();
const more = [];
for (let index = 1; index < sockets; index += 1) {
  const listener = createNetServer((socket) => server.emit('connection', socket));
  await listen(listener, { port, host: '127.0.0.1', reusePort: true });
  more.push(listener);
}

let turn = 0;
let accepted = 0;
const turnsWithAccepts = new Set();
server.on('connection', () => {
  accepted += 1;
  turnsWithAccepts.add(turn);
  if (accepted === connections) {
    console.log(
      `Node.js ${process.version} (libuv ${process.versions.uv}): ${connections} queued connections, ${sockets} listening socket${sockets > 1 ? 's' : ''}: accepted over ${turnsWithAccepts.size} turns of the event loop`,
    );
    for (const listener of more) listener.close();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  }
});

execFileSync(process.execPath, [
  '-e',
  `const { connect } = require('node:net');
   let open = 0;
   for (let i = 0; i < ${connections}; i += 1)
     connect(${port}, '127.0.0.1', () => { open += 1; if (open === ${connections}) process.exit(0); });`,
]);
const countTurns = () => {
  turn += 1;
  setImmediate(countTurns);
};
countTurns();

// The ceiling for any Node.js server on one core: node:http answering from memory, with the
// same headers as the web server and no work at all per request.
// node bare-node.mjs ROOT PORT
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [root, port] = process.argv.slice(2);
const answers = new Map(
  [
    ['/index.txt', 'text/plain; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
  ].map(([path, type]) => {
    const body = readFileSync(join(root, path));
    const headers = [
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options',
      'nosniff',
      'referrer-policy',
      'no-referrer',
      'x-frame-options',
      'DENY',
      'cross-origin-resource-policy',
      'same-origin',
      'content-type',
      type,
      'etag',
      '"0123456789abcdefghijkl"',
      'last-modified',
      new Date().toUTCString(),
      'cache-control',
      'no-cache',
      'accept-ranges',
      'none',
      'content-length',
      String(body.length),
    ];
    return [path, { body, headers }];
  }),
);
createServer((request, response) => {
  const answer = answers.get(request.url);
  if (!answer) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, answer.headers);
  response.end(answer.body);
}).listen(Number(port), '127.0.0.1');

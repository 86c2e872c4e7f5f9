// A peer Node.js users pick for static files: sirv on node:http.
// node sirv.mjs ROOT PORT
import { createServer } from 'node:http';
import sirv from 'sirv';

const [root, port] = process.argv.slice(2);
// Without dev mode sirv lists the files once at start and keeps their sizes: a fortune renamed
// into place later would be answered with the old Content-Length. Dev mode looks each file up
// per request, which is what serving a volume whose files change needs.
createServer(sirv(root, { dev: true })).listen(Number(port), '127.0.0.1');

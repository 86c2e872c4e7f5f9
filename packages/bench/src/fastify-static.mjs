// A peer Node.js users pick for static files: fastify with @fastify/static and nothing else.
// node fastify-static.mjs ROOT PORT
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

const [root, port] = process.argv.slice(2);
const app = Fastify();
await app.register(fastifyStatic, { root });
await app.listen({ port: Number(port), host: '127.0.0.1' });

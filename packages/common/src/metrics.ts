import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Registry, Summary } from 'prom-client';

/** Where every service answers Prometheus, on the same port as its health paths. */
export const METRICS_PATH = '/metrics';

/**
 * A registry holding the process's own metrics (CPU, memory, open descriptors, event loop lag,
 * garbage collection), to which a service adds its own. One per service, never prom-client's
 * global one: the tests start several in one process.
 */
export function createMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Answers METRICS_PATH with the registry in the Prometheus text format; false for any other path. */
export function answerMetrics(
  path: string,
  registry: Registry | undefined,
  response: ServerResponse,
): boolean {
  if (registry === undefined || path !== METRICS_PATH) return false;
  registry.metrics().then(
    (text) => {
      response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      response.end(text);
    },
    (error: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(`metrics failed: ${error.message}\n`);
    },
  );
  return true;
}

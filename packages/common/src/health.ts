import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerMetrics, type Registry } from './metrics.ts';

export interface ProbeResult {
  readonly ok: boolean;
  /** Said in the response body: why it is not ok, or what it is doing. */
  readonly detail: string;
}

/** `/healthz` answers whether the process works at all, `/readyz` whether it has something to offer. */
export interface HealthChecks {
  alive(): ProbeResult | Promise<ProbeResult>;
  ready(): ProbeResult | Promise<ProbeResult>;
}

export const HEALTH_PATHS = { alive: '/healthz', ready: '/readyz' } as const;

/** Answers a health path with 200 or 503 and a one-line reason; false for any other path. */
export function answerHealth(path: string, checks: HealthChecks, response: ServerResponse): boolean {
  const probe =
    path === HEALTH_PATHS.alive ? checks.alive : path === HEALTH_PATHS.ready ? checks.ready : undefined;
  if (!probe) return false;
  Promise.resolve()
    .then(() => probe.call(checks))
    .catch((error: unknown) => ({ ok: false, detail: `check failed: ${(error as Error).message}` }))
    .then(({ ok, detail }) => {
      response.writeHead(ok ? 200 : 503, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(`${detail}\n`);
    });
  return true;
}

/** Listens and resolves with the address actually bound (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<URL> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(new URL(`http://${shownHost}:${address.port}/`));
    });
  });
}

/** A server with only the health paths, and /metrics when given a registry, for the services that serve nothing else. */
export async function startHealthServer(
  checks: HealthChecks,
  port: number,
  host: string,
  metrics?: Registry,
): Promise<{ server: Server; url: URL }> {
  const served = metrics ? '/healthz, /readyz and /metrics' : '/healthz and /readyz';
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!answerHealth(path, checks, response) && !answerMetrics(path, metrics, response)) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Not found: this port serves ${served}\n`);
    }
  });
  return { server, url: await listen(server, port, host) };
}

/** Stops listening and waits for open requests; idle keep-alive connections are closed at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

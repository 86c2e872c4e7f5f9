import {
  answerHealth,
  answerMetrics,
  type HealthChecks,
  LIVE_UPDATE_PATHS,
  type Logger,
  type Registry,
} from '@fortune-sidecar/common';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { compressedWhenReady } from './compression.ts';
import { LIVE_UPDATE_SCRIPT, type LiveUpdates } from './live-updates.ts';
import { prefersHtml } from './negotiate.ts';
import { withQuery } from './redirect-query.ts';
import { respond } from './respond.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { countingWriteHead, type StatusClassCounts } from './server.ts';
import type { Site } from './site.ts';

export interface AppOptions {
  readonly site: Site;
  readonly live: LiveUpdates;
  readonly health: HealthChecks;
  readonly log: Logger;
  /** Answered on /metrics, beside the health paths; without it, /metrics is a path of the site. */
  readonly metrics?: Registry;
  /** Where the app counts its answers' statuses: the server's counts (createWebServer). */
  readonly responses?: StatusClassCounts;
}

/** HTTP/1.1 requires a Host header (RFC 9112): a request without one is malformed. */
const needsHost: RequestHandler = (request, response, next) => {
  if (request.httpVersion !== '1.1' || request.headers.host !== undefined) return next();
  response.set({ 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  response.status(400).send('Bad request: HTTP/1.1 needs a Host header\n');
};

/** The served folder is read-only: anything but reading it is refused before it reaches the files. */
const onlyReads: RequestHandler = (request, response, next) => {
  if (request.method === 'GET' || request.method === 'HEAD') return next();
  response.set({ allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
  response.status(405).send('Method not allowed: this server only reads its folder\n');
};

export function createApp({ site, live, health, log, metrics, responses }: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // app.response is this app's own prototype of its responses, which express documents for extending.
  if (responses) app.response.writeHead = countingWriteHead(responses) as typeof app.response.writeHead;

  app.use((request, response, next) => {
    setSecurityHeaders(response);
    // Before the site, as the health paths: a file named healthz, readyz or metrics at the top
    // of the served folder is not served.
    if (!answerHealth(request.path, health, response) && !answerMetrics(request.path, metrics, response))
      next();
  });
  app.use(needsHost);
  app.use(onlyReads);
  app.get(LIVE_UPDATE_PATHS.events, (request, response) => live.subscribe(request, response));
  const liveScript = compressedWhenReady(LIVE_UPDATE_SCRIPT);
  app.get(LIVE_UPDATE_PATHS.script, (request, response) => respond(request, response, liveScript()));
  app.use(async (request, response) => {
    const found = await site.find(request.path, prefersHtml(request.headers.accept));
    respond(request, response, found.kind === 'redirect' ? withQuery(found, request.originalUrl) : found);
  });

  // Never a stack trace or a server path in a response: those go to the log only.
  const onError: ErrorRequestHandler = (error: Error & { status?: number }, request, response, _next) => {
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) log.error('Request failed', { method: request.method, path: request.path, error });
    if (response.headersSent) return response.destroy();
    response
      .status(status)
      .type('text/plain')
      .send(status === 500 ? 'Internal server error\n' : 'Bad request\n');
  };
  app.use(onError);
  return app;
}

import {
  closeServer,
  createLogger,
  loadConfigOrExit,
  onShutdown,
  warnUnknownVariables,
} from '@fortune-sidecar/common';
import { createApp } from './app.ts';
import { KNOWN_VARIABLES, loadConfig } from './config.ts';
import { descriptorHealth } from './descriptor-health.ts';
import { withFastPath } from './fast-path.ts';
import { siteHealth } from './health.ts';
import { listenOnSockets } from './listening-sockets.ts';
import { createLiveUpdates } from './live-updates.ts';
import { webServerMetrics } from './metrics.ts';
import { createStatusClassCounts, createWebServer } from './server.ts';
import { createSite } from './site.ts';
import { watchFolder } from './watch-folder.ts';

const config = loadConfigOrExit('web-server', () => loadConfig(process.env));
const log = createLogger({ format: config.logFormat });
warnUnknownVariables(log, process.env, ['WEB_'], KNOWN_VARIABLES);

const site = createSite(config.root);
const live = createLiveUpdates();
const watch = watchFolder(
  config.root,
  () => {
    site.invalidate();
    live.changed();
  },
  log,
  { maxFolders: config.watchFolders },
);
const health = siteHealth(site, config.root, descriptorHealth(log));
const responses = createStatusClassCounts();
const metrics = webServerMetrics({
  responses,
  cache: site.counts,
  liveStreams: () => live.clients(),
  watchedFolders: () => watch.folders(),
});
const app = createApp({ site, live, log, health, metrics, responses });

const server = createWebServer(withFastPath(site, app), config.requestTimeoutMs, responses);
const listening = await listenOnSockets(server, config.port, config.host);
await watch.ready;
onShutdown(log, async () => {
  // Live pages hold their connections open: end them, or the server never finishes closing.
  live.close();
  await Promise.all([listening.close(), closeServer(server), watch.close()]);
});
// Where it listens as a field: `npm start` and the tests read it, in text and in JSON.
log.info('Serving the folder read-only', { root: config.root, url: listening.url.href });

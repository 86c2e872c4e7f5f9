import { join } from 'node:path';
import {
  closeServer,
  createLogger,
  createRedactor,
  formatDuration,
  GIT_SYNC_LAYOUT,
  holdExclusiveLockOrExit,
  loadConfigOrExit,
  onShutdown,
  startHealthServer,
  warnUnknownVariables,
} from '@fortune-sidecar/common';
import { KNOWN_VARIABLES, loadConfigAtStart } from './config.ts';
import { createFetchCredentials } from './credentials.ts';
import { createErrorFile } from './error-file.ts';
import { gitSyncHealth } from './health.ts';
import { startHooks } from './hooks.ts';
import { gitSyncMetrics } from './metrics.ts';
import { createPublisher, OWNER } from './publish.ts';
import { displayUrl } from './repo-url.ts';
import { sparseCheckout } from './sparse-checkout.ts';
import { sshTransport } from './ssh.ts';
import { createSync } from './sync.ts';
import { startSyncLoop } from './sync-loop.ts';
import { onSyncSignal } from './sync-signal.ts';
import { createTouchFile } from './touch-file.ts';
import { UPSTREAM_OLDER_NAMES } from './upstream-names.ts';

// Exit codes: 0 stopped or one-time sync done, 1 could not sync (or start), 2 bad settings.
const EXIT_FAILED = 1;

const config = loadConfigOrExit(OWNER, () => loadConfigAtStart(process.env));
const credentials = createFetchCredentials(config.repo, config.credentials);
const log = createLogger({ format: config.logFormat, secrets: credentials.secrets });
warnUnknownVariables(log, process.env, ['GITSYNC_'], KNOWN_VARIABLES);
warnUnknownVariables(log, process.env, ['GIT_SYNC_'], UPSTREAM_OLDER_NAMES);
for (const warning of config.warnings) log.warn(warning.message, warning.fields);

// Two git-syncs on one root would share one repository and its FETCH_HEAD, and publish each
// other's revisions. Released at every exit below, so that the next start need not wait.
const lock = await holdExclusiveLockOrExit({
  service: OWNER,
  path: join(config.root, GIT_SYNC_LAYOUT.lock),
  log,
  onLost(reason) {
    // Exits rather than publish over the other: Kubernetes restarts it, and it waits for the lock.
    log.error('Lost the lock on GITSYNC_ROOT to another process, stopping', { reason });
    process.exit(EXIT_FAILED);
  },
});

const publisher = createPublisher({
  root: config.root,
  link: config.link,
  staleWorktreeTimeoutMs: config.staleWorktreeTimeoutMs,
  fillWorktree:
    config.sparseCheckoutFile === undefined ? undefined : sparseCheckout(config.sparseCheckoutFile),
  submodules: {
    mode: config.submodules,
    depth: config.depth,
    repo: config.repo.text,
    // Not the password: git would ask for it, and the askpass program give it, whatever host a
    // .gitmodules names.
    transport: config.ssh ? sshTransport(config.ssh) : undefined,
  },
  log,
});
try {
  await publisher.recover();
} catch (error) {
  log.error(`Cannot use ${config.root}`, { error });
  await lock.release();
  process.exit(EXIT_FAILED);
}

const shownUrl = displayUrl(config.repo);
const touchFile = config.touchFile === undefined ? undefined : createTouchFile(config.touchFile, log);
const errorFile =
  config.errorFile === undefined
    ? undefined
    : createErrorFile(config.errorFile, (text) => createRedactor(credentials.secrets())(text), log);
await errorFile?.recover();
// Read at each scrape, which comes once the loop is started.
const metrics = gitSyncMetrics(() => loop.status());
const hooks = startHooks(config, log, metrics.hookRan);
const loop = startSyncLoop({
  sync: hooks.afterPublish(
    createSync({
      root: config.root,
      fetchUrl: credentials.fetchUrl,
      shownUrl,
      ref: config.ref,
      depth: config.depth,
      stallTimeoutMs: config.stallTimeoutMs,
      transport: config.ssh ? sshTransport(config.ssh) : credentials.transport,
      publisher,
      log,
      onFetched: metrics.fetched,
    }),
  ),
  periodMs: config.periodMs,
  syncTimeoutMs: config.syncTimeoutMs,
  maxFailures: config.maxFailures,
  oneTime: config.oneTime,
  log,
  onAttempt: metrics.attempted,
  async onSynced(changed) {
    await touchFile?.(changed);
    await errorFile?.synced();
  },
  async onFailed(error, failures) {
    await errorFile?.failed(error, failures);
  },
});
log.info(
  config.oneTime
    ? `Syncing ${shownUrl} ${config.ref} once to ${config.root}/${config.link}`
    : `Syncing ${shownUrl} ${config.ref} to ${config.root}/${config.link} every ${formatDuration(config.periodMs)}`,
);

if (config.syncOnSignal !== undefined) {
  onSyncSignal(config.syncOnSignal, () => {
    log.info(`Caught ${config.syncOnSignal} (GITSYNC_SYNC_ON_SIGNAL), syncing now`);
    loop.syncNow();
  });
}

let health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
onShutdown(log, async () => {
  await loop.stop();
  await hooks.stop();
  if (health) await closeServer(health.server);
  await lock.release();
});

if (config.httpPort !== undefined) {
  health = await startHealthServer(
    gitSyncHealth(loop.status, config.maxFailures, (text) => createRedactor(credentials.secrets())(text)),
    config.httpPort,
    '0.0.0.0',
    metrics.registry,
  );
  log.info('Health endpoints on /healthz and /readyz', { url: health.url.href });
}

const end = await loop.done;
// 'stopped' comes from a signal: onShutdown exits once the health server is closed.
if (end !== 'stopped') {
  // As upstream, a one-time sync waits for each hook's first run, and fails if one failed.
  const hooksRan = end === 'synced-once' ? await hooks.firstResults() : true;
  await hooks.stop();
  if (health) await closeServer(health.server);
  await lock.release();
  process.exit(end === 'synced-once' && hooksRan ? 0 : EXIT_FAILED);
}

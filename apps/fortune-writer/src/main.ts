import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  closeServer,
  createLogger,
  FORTUNE_WRITER_NAMES,
  formatDuration,
  holdExclusiveLockOrExit,
  loadConfigOrExit,
  onShutdown,
  removeTempFiles,
  startHealthServer,
  warnUnknownVariables,
} from '@fortune-sidecar/common';
import { KNOWN_VARIABLES, loadConfig, loadFortuneList, loadPodInfo, reloadSeconds } from './config.ts';
import { logListInUse } from './fortune-list.ts';
import { createFortuneWriter, type FortuneWriter, OWNER } from './fortune-writer.ts';
import { writerHealth } from './health.ts';
import { loadHistoryOrExit } from './history-file.ts';
import { writerMetrics } from './metrics.ts';
import { createFortunePicker, FORTUNE_COOKIES } from './pick-fortune.ts';
import { logPodInfoInUse } from './pod-info.ts';
import { type RunningSchedule, startSchedule } from './schedule.ts';
import { readOnlyReason, readVolumeFacts } from './volume-facts.ts';

const config = loadConfigOrExit(OWNER, () => loadConfig(process.env));
const log = createLogger({ format: config.logFormat });
const { fortuneListFile: listPath, podInfoDir } = config;
// Followed from here on: a change while the writer waits for the folder's lock is not missed.
const fortuneList =
  listPath === undefined ? undefined : loadConfigOrExit(OWNER, () => loadFortuneList(listPath, log));
const podInfo =
  podInfoDir === undefined ? undefined : loadConfigOrExit(OWNER, () => loadPodInfo(podInfoDir, log));
warnUnknownVariables(log, process.env, ['FORTUNE_'], KNOWN_VARIABLES);

let writer: FortuneWriter | undefined;
let schedule: RunningSchedule | undefined;
// Why the writer cannot start writing, while it waits for its folder: shown on /readyz.
let startProblem: string | undefined;
// Up before the writer starts, which may wait for the folder's lock: alive, and not ready yet.
const health =
  config.httpPort === undefined
    ? undefined
    : await startHealthServer(
        writerHealth(
          () =>
            writer?.status() ??
            (startProblem ? { writes: 0, failures: 0, lastError: startProblem } : undefined),
          () => schedule?.behind(),
        ),
        config.httpPort,
        '0.0.0.0',
        writerMetrics(() => writer?.status()),
      );
if (health) log.info('Health endpoints on /healthz and /readyz', { url: health.url.href });

// A read-only volume would only show as a lock that cannot be taken: say what is wrong first.
startProblem = readOnlyReason(await readVolumeFacts(config.dir));
if (startProblem) log.error(`Cannot write into ${config.dir}: ${startProblem}; waiting until it can`);

// Before anything else touches the folder: a second writer would overwrite this one's history.
const lock = await holdExclusiveLockOrExit({
  service: OWNER,
  path: join(config.dir, FORTUNE_WRITER_NAMES.lock),
  log,
  onLost: (reason) => {
    log.error(`Lost the lock on the folder, stopping: ${reason}`);
    process.exit(1);
  },
});

// A folder that cannot be read yet is not fatal: each write tries again, and says why it fails.
const leftovers = await removeTempFiles(OWNER, config.dir).catch(() => []);
for (const name of leftovers) log.info(`Removed ${name}, left by an interrupted write`);

const history = await loadHistoryOrExit(OWNER, { dir: config.dir, log }, () => lock.release());
logListInUse(log, fortuneList?.() ?? FORTUNE_COOKIES, listPath ?? 'fortune-cookie');
if (podInfoDir !== undefined && podInfo !== undefined) logPodInfoInUse(log, podInfo(), podInfoDir);

writer = createFortuneWriter({
  dir: config.dir,
  history,
  historySize: config.historySize,
  host: config.podName ?? hostname(),
  node: config.nodeName,
  pickFortune: createFortunePicker(Math.random, fortuneList),
  page: { variant: config.variant, reloadSeconds: reloadSeconds(config.schedule) },
  podInfo:
    podInfo && (() => ({ dir: podInfoDir as string, info: podInfo(), comparedLabel: config.comparedLabel })),
  log,
});

// Once at start, so the page is never empty while the first interval passes.
await writer.write();
schedule = startSchedule(config.schedule, () => writer.write(), { log });
onShutdown(log, async () => {
  await schedule?.stop();
  await lock.release();
  if (health) await closeServer(health.server);
});
log.info(
  config.schedule.kind === 'interval'
    ? `Writing a fortune every ${formatDuration(config.schedule.ms)}`
    : `Writing a fortune on the schedule "${config.schedule.expression}"`,
);

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const bundle = (service: string) => join(REPO_ROOT, 'apps', service, 'dist', 'main.js');

export interface Running {
  readonly name: string;
  readonly url: string;
  /** The process that serves: the one whose memory counts. */
  readonly pid: number;
  /** Milliseconds from exec to the first good answer at `readyPath`. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

/** Polls until `url` answers 200, and returns how long after `since` that was. */
export async function waitUntilOk(
  url: string,
  since: number,
  child: ChildProcess,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = since + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      const answer = await fetch(url);
      if (answer.ok) return performance.now() - since;
      last = `${answer.status} ${await answer.text()}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(2);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; last: ${last}`);
}

const children = new Set<ChildProcess>();

// A bench stopped with kill or Ctrl-C stops its servers too: one left behind would hold its port
// and a core busy, and the next run would find the machine busy.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.kill(process.pid, signal);
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** Starts a command on one CPU core and waits until `readyPath` answers. */
export async function startPinned(
  name: string,
  core: number,
  command: readonly string[],
  { port, readyPath, env = {} }: { port: number; readyPath: string; env?: Record<string, string> },
): Promise<Running & { child: ChildProcess }> {
  const started = performance.now();
  const child = spawn('taskset', ['-c', String(core), ...command], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: 'ignore',
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const startupMs = await waitUntilOk(`${url}${readyPath}`, started, child);
  return { name, url, pid: child.pid ?? 0, startupMs, stop: stopper(child), child };
}

export function startWebServer(root: string, port: number, core: number, env: Record<string, string> = {}) {
  return startPinned('this web server', core, [process.execPath, bundle('web-server')], {
    port,
    readyPath: '/readyz',
    env: { WEB_ROOT: root, WEB_PORT: String(port), WEB_HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env },
  });
}

/** fortune-writer writing into `dir`, ready once its first fortune is written. */
export function startWriter(dir: string, port: number, core: number, env: Record<string, string> = {}) {
  return startPinned('fortune-writer', core, [process.execPath, bundle('fortune-writer')], {
    port,
    readyPath: '/readyz',
    env: { FORTUNE_DIR: dir, FORTUNE_HTTP_PORT: String(port), LOG_FORMAT: 'json', ...env },
  });
}

/** git-sync keeping the local repository `repo` in `root`; `readyPath` says when it counts as started. */
export function startGitSync(
  repo: string,
  root: string,
  port: number,
  core: number,
  { readyPath, env = {} }: { readyPath: '/healthz' | '/readyz'; env?: Record<string, string> },
) {
  return startPinned('git-sync', core, [process.execPath, bundle('git-sync')], {
    port,
    readyPath,
    env: {
      GITSYNC_REPO: repo,
      GITSYNC_ROOT: root,
      GITSYNC_ALLOW_LOCAL: 'true',
      GITSYNC_HTTP_PORT: String(port),
      LOG_FORMAT: 'json',
      ...env,
    },
  });
}

/** One of the small servers beside this file (`node SCRIPT ROOT PORT`), ready once it serves the fortune. */
function startScript(name: string, script: string, root: string, port: number, core: number) {
  return startPinned(
    name,
    core,
    [process.execPath, join(REPO_ROOT, 'packages', 'bench', 'src', script), root, String(port)],
    { port, readyPath: '/index.txt' },
  );
}

export const startExpressStatic = (root: string, port: number, core: number) =>
  startScript('express.static', 'express-static.mjs', root, port, core);

export const startSirv = (root: string, port: number, core: number) =>
  startScript('sirv', 'sirv.mjs', root, port, core);

export const startFastifyStatic = (root: string, port: number, core: number) =>
  startScript('@fastify/static', 'fastify-static.mjs', root, port, core);

export const startBareNode = (root: string, port: number, core: number) =>
  startScript('node:http from memory (ceiling)', 'bare-node.mjs', root, port, core);

const GZIP = `  gzip on;
  gzip_static on;
  gzip_comp_level 6;
  gzip_min_length 1024;
  gzip_vary on;
  gzip_types text/plain text/css text/javascript application/javascript application/json image/svg+xml application/xml;
`;

// What nginx users add for static files: descriptors, sizes and times of open files kept for
// 30 s, so that a request costs no open() or stat(). A file renamed over one in the cache is
// therefore served as it was until nginx looks again, up to open_file_cache_valid later.
const OPEN_FILE_CACHE = `  open_file_cache max=10000 inactive=60s;
  open_file_cache_valid 30s;
  open_file_cache_min_uses 1;
  open_file_cache_errors on;
`;

/**
 * nginx from Debian with one worker process and a plain static configuration, as the seed
 * serves its volume; with `openFileCache`, as an nginx user tunes it for static files. Access logging is off (this web server logs no requests either) and
 * keep-alive connections are not recycled, so that both serve the same work.
 * With `gzip`, nginx compresses text types as a site would set it up: gzip on at level 6 for the
 * types this web server compresses, from 1 KB, Vary on, and gzip_static to send a shipped `.gz`.
 * Debian's nginx has no brotli module, so its clients get gzip.
 */
export async function startNginx(
  root: string,
  port: number,
  core: number,
  workDir: string,
  { gzip = false, openFileCache = false }: { gzip?: boolean; openFileCache?: boolean } = {},
) {
  await mkdir(workDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const config = join(workDir, 'nginx.conf');
  await writeFile(
    config,
    `${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(workDir, 'nginx.pid')};
error_log ${join(workDir, 'error.log')};
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  access_log off;
  keepalive_requests 1000000;
${gzip ? GZIP : ''}${openFileCache ? OPEN_FILE_CACHE : ''}  client_body_temp_path ${join(workDir, 'body')};
  proxy_temp_path ${join(workDir, 'proxy')};
  fastcgi_temp_path ${join(workDir, 'fastcgi')};
  uwsgi_temp_path ${join(workDir, 'uwsgi')};
  scgi_temp_path ${join(workDir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    index index.txt index.html;
  }
}
`,
  );
  const running = await startPinned(
    openFileCache ? 'nginx, open_file_cache' : 'nginx',
    core,
    ['nginx', '-c', config, '-e', join(workDir, 'error.log')],
    {
      port,
      readyPath: '/index.txt',
    },
  );
  // The worker serves; the master only supervises.
  const worker = Number(
    execFileSync('pgrep', ['-P', String(running.pid)])
      .toString()
      .trim()
      .split('\n')[0],
  );
  return { ...running, pid: worker, stop: stopper(running.child) };
}

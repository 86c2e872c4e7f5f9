import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PATIENCE_MS } from './patience.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type ServiceName = 'fortune-writer' | 'web-server' | 'git-sync' | 'local-stack';

/** The built bundle of a service: what the container images run. */
export function bundlePath(service: ServiceName): string {
  const folder = service === 'local-stack' ? 'packages' : 'apps';
  const path = join(REPO_ROOT, folder, service, 'dist', 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run "pnpm run build" first (npm test does)`);
  return path;
}

/**
 * Node.js sizes its heap from the memory it may use: in a container limited to 128Mi, as the
 * manifests limit each service, V8 takes 1 MB semi-spaces and an old generation of 256 MB that
 * grows 1.3× between collections; on a host with gigabytes free, 16 MB semi-spaces and 4×
 * growth, so the same work leaves more garbage resident. Give this environment to a service to
 * measure its memory as it runs in the pod.
 */
export const HEAP_OF_A_128MI_CONTAINER = { NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=256' };

export interface LogLine {
  readonly time?: string;
  readonly level?: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far, line by line. */
  readonly output: string[];
  /** Log lines parsed from JSON output (LOG_FORMAT=json). */
  logs(): LogLine[];
  /** Waits for a log line whose message matches, and returns it; fails after `timeoutMs` (PATIENCE_MS). */
  waitForLog(match: RegExp | string, timeoutMs?: number): Promise<LogLine>;
  /** Waits for a raw output line that matches, and returns the match; fails after `timeoutMs` (PATIENCE_MS). */
  waitForOutput(match: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  readonly exited: Promise<Exit>;
  /** Sends a signal and waits for the exit; resolves with how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<Exit & { readonly ms: number }>;
}

/** Another user to run a service as, as the containers run it as uid 1000 (needs root). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Starts a built service as its own process with exactly the environment given (plus PATH),
 * in JSON log mode unless the test asks otherwise. It is killed when the test file ends.
 */
export function startService(
  service: ServiceName,
  env: Record<string, string>,
  args: string[] = [],
  user?: RunAs,
): ServiceProcess {
  const child = spawn(process.execPath, [bundlePath(service), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      output.push(...lines);
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout as NodeJS.ReadableStream);
  collect(child.stderr as NodeJS.ReadableStream);
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  exited.then(() => {
    for (const wake of waiters) wake();
  });
  // SIGTERM first, so that a service with children of its own (the local stack) stops them too:
  // killed while it stops them on a busy machine, it would leave them running.
  after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), PATIENCE_MS);
    await exited;
    clearTimeout(killer);
  });

  const logs = () =>
    output.flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as LogLine;
        return typeof parsed === 'object' && parsed !== null && typeof parsed.msg === 'string'
          ? [parsed]
          : [];
      } catch {
        return [];
      }
    });

  const waitFor = <T>(find: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      let done = false;
      const check = () => {
        if (done) return;
        const found = find();
        if (found !== undefined) {
          finish();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`${service} exited before ${what}:\n${output.join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${service} did not ${what} within ${timeoutMs} ms:\n${output.join('\n')}`));
      }, timeoutMs);
      const finish = () => {
        done = true;
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const waitForLog = (match: RegExp | string, timeoutMs = PATIENCE_MS) =>
    waitFor(
      () =>
        logs().find((line) => (typeof match === 'string' ? line.msg.includes(match) : match.test(line.msg))),
      `log ${match}`,
      timeoutMs,
    );

  const waitForOutput = (match: RegExp, timeoutMs = PATIENCE_MS) =>
    waitFor(
      () => {
        for (const line of output) {
          const found = match.exec(line);
          if (found) return found;
        }
        return undefined;
      },
      `print ${match}`,
      timeoutMs,
    );

  return {
    child,
    output,
    logs,
    waitForLog,
    waitForOutput,
    exited,
    async stop(signal = 'SIGTERM') {
      const started = performance.now();
      child.kill(signal);
      const exit = await exited;
      return { ...exit, ms: performance.now() - started };
    },
  };
}

/**
 * Runs a service that is expected to stop by itself (bad settings, one-time mode) and returns how
 * it ended; one still running after PATIENCE_MS is killed.
 */
export async function runToExit(
  service: ServiceName,
  env: Record<string, string>,
): Promise<Exit & { readonly output: string }> {
  const running = startService(service, env);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), PATIENCE_MS);
  const exit = await running.exited;
  clearTimeout(timer);
  return { ...exit, output: running.output.join('\n') };
}

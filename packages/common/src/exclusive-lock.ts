import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './log.ts';
import { tempName } from './volume.ts';

/**
 * One process per folder. Two writers or two git-syncs on one volume overwrite each other's work
 * (a history with only one writer's fortunes, a FETCH_HEAD of another branch), and a volume can
 * be shared across pods and nodes, so the lock lives in the volume itself.
 *
 * Node.js has no flock(), and a lock file alone outlives a SIGKILL or an OOM kill. So the holder
 * proves it is alive by touching its lock file every `heartbeatMs`; a lock whose file has not
 * changed for `staleMs` (on the contender's monotonic clock, so that no wall clock, skewed or
 * jumping, decides) is taken over. A holder that finds another's token in the file has lost it.
 */
export interface ExclusiveLockOptions {
  /** Named in messages: `fortune-writer`, `git-sync`. */
  readonly service: string;
  /** The lock file; its folder is created if missing. */
  readonly path: string;
  readonly log: Logger;
  /** Another process took the lock over: this one must stop writing (the services exit 1). */
  readonly onLost: (reason: string) => void;
  readonly heartbeatMs?: number;
  readonly staleMs?: number;
}

export interface ExclusiveLock {
  readonly path: string;
  /** Stops the heartbeat and removes the file, if it is still this process's. */
  release(): Promise<void>;
}

/** Who holds a lock, as its file says. */
interface Holder {
  readonly service: string;
  readonly pid: number;
  readonly host: string;
  /**
   * The pid namespace the pid belongs to (Linux), since a host name is shared by the containers
   * of a pod and by host-network pods, which each number their processes on their own.
   */
  readonly pidNamespace?: string;
  readonly since: string;
  readonly token: string;
}

export class LockHeldError extends Error {
  override readonly name = 'LockHeldError';
}

const HEARTBEAT_MS = 1000;
// Long enough that a holder's heartbeat delayed by a busy node is not taken for a crash.
const STALE_MS = 10_000;

/**
 * Holds `path` for this process until `release`. Resolves once held; rejects with LockHeldError
 * when a live process holds it. A folder that cannot take the file yet (read-only, missing
 * parent, no permission) is tried again every heartbeat, with one warning.
 */
export async function holdExclusiveLock(options: ExclusiveLockOptions): Promise<ExclusiveLock> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const staleMs = options.staleMs ?? STALE_MS;
  const me: Holder = {
    service: options.service,
    pid: process.pid,
    host: hostname(),
    pidNamespace: ownPidNamespace(),
    since: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  };
  const record = `${JSON.stringify(me)}\n`;
  const { path, log } = options;

  let warned = false;
  for (;;) {
    try {
      await mkdir(dirname(path), { recursive: true });
      if (await create(path, record, me.service)) break;
      log.info('The lock file exists; checking whether its holder is alive', { path });
      const verdict = await judge(path, me, heartbeatMs, staleMs);
      if (verdict.kind === 'gone') continue;
      if (verdict.kind === 'alive') throw new LockHeldError(heldMessage(path, verdict.holder));
      await replace(path, record, me.service);
      // Two contenders may both find the lock stale and both replace it: the file keeps the last
      // one, which is the one that holds it. A heartbeat's wait lets the other's rename land first.
      await sleep(heartbeatMs);
      const after = await readHolder(path);
      if (after === 'missing' || after?.token !== me.token) {
        throw new LockHeldError(heldMessage(path, after === 'missing' ? undefined : after));
      }
      log.warn('Took over a lock its holder no longer kept', {
        path,
        holder: describe(verdict.holder),
        why: verdict.why,
      });
      break;
    } catch (error) {
      if (error instanceof LockHeldError) throw error;
      if (!warned) log.warn('Cannot take the lock yet; trying again', { path, error });
      warned = true;
      await sleep(heartbeatMs);
    }
  }

  let stopped = false;
  const warnings = new Set<string>();
  const warnOnce = (message: string, fields: Record<string, unknown>) => {
    if (!warnings.has(message)) log.warn(message, fields);
    warnings.add(message);
  };
  const beat = async () => {
    const holder = await readHolder(path);
    if (stopped) return;
    if (holder === 'missing') {
      // The folder was emptied or removed under us (the services make it again): claim it again.
      warnOnce('The lock file was removed; creating it again', { path });
      // A folder still missing or read-only is tried again at the next beat; a file another
      // process made meanwhile is seen there too, as not ours.
      await create(path, record, me.service).catch(() => {});
      return;
    }
    if (holder?.token !== me.token) return lose(`${path} is now held by ${describe(holder)}`);
    const now = new Date();
    // A read-only folder cannot be written by anyone, so a missed beat there guards nothing.
    await utimes(path, now, now).catch(() => {});
  };
  const lose = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    options.onLost(reason);
  };
  // One beat at a time: on a volume that hangs (a hard-mounted NFS server gone), beats that
  // pile up would take every thread of the pool that all file operations of the process share.
  let beating: Promise<void> | undefined;
  const timer = setInterval(() => {
    beating ??= beat()
      .catch((error: unknown) => warnOnce('Cannot read the lock file', { path, error }))
      .finally(() => {
        beating = undefined;
      });
  }, heartbeatMs);
  timer.unref();

  return {
    path,
    async release() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      // A beat in flight could make the file again after it is removed here.
      await beating;
      try {
        const holder = await readHolder(path);
        if (holder !== 'missing' && holder?.token === me.token) await rm(path, { force: true });
      } catch (error) {
        // Left behind, the file is taken over at the next start: not worth failing a clean stop.
        log.warn('Could not remove the lock file', { path, error });
      }
    },
  };
}

/** The same, for a service's start: a lock held by another process ends this one with exit 1 and one line. */
export async function holdExclusiveLockOrExit(options: ExclusiveLockOptions): Promise<ExclusiveLock> {
  try {
    return await holdExclusiveLock(options);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    process.stderr.write(`${options.service}: ${error.message}\n`);
    process.exit(1);
  }
}

type Verdict =
  | { kind: 'gone' }
  | { kind: 'alive'; holder: Holder | undefined }
  | { kind: 'stale'; holder: Holder | undefined; why: string };

/**
 * Whether the lock's holder is alive: it is if its file changes within `staleMs`. A holder on
 * this host whose process is gone is stale at once, unless it had this very pid: then it is a
 * previous run of this container (PID 1 again), or a container of the same pod, which only its
 * heartbeat tells apart.
 */
async function judge(path: string, me: Holder, heartbeatMs: number, staleMs: number): Promise<Verdict> {
  const first = await fingerprint(path);
  if (first === undefined) return { kind: 'gone' };
  const holder = await readHolder(path);
  if (holder === 'missing') return { kind: 'gone' };
  if (
    holder &&
    holder.host === me.host &&
    holder.pidNamespace === me.pidNamespace &&
    holder.pid !== me.pid &&
    !isRunning(holder.pid)
  ) {
    return { kind: 'stale', holder, why: 'its process has ended' };
  }
  const started = performance.now();
  while (performance.now() - started < staleMs) {
    await sleep(Math.min(heartbeatMs / 2, staleMs));
    const now = await fingerprint(path);
    if (now === undefined) return { kind: 'gone' };
    if (now !== first) {
      const beating = await readHolder(path).catch(() => undefined);
      return { kind: 'alive', holder: beating === 'missing' || beating === undefined ? holder : beating };
    }
  }
  return { kind: 'stale', holder, why: `its file did not change for ${staleMs} ms` };
}

/**
 * What changes when a holder beats or another process takes the lock. Read through an open
 * descriptor: NFS revalidates a file's attributes on open, where a plain stat may answer from
 * a cache that is a minute old.
 */
async function fingerprint(path: string): Promise<string | undefined> {
  try {
    const file = await open(path, 'r');
    const { ino, mtimeMs, size } = await file.stat().finally(() => file.close());
    return `${ino}:${mtimeMs}:${size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The holder, `missing` when there is no file, undefined when its content is not a holder (a torn write). */
async function readHolder(path: string): Promise<Holder | 'missing' | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    return typeof holder.token === 'string' && typeof holder.pid === 'number'
      ? (holder as Holder)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the lock file whole, or returns false if one exists: link() never replaces a file.
 * Where the volume has no hard links (some FUSE and SMB mounts), an exclusive create does the
 * same, with a moment in which the file is there but empty (a holder that left no name).
 */
async function create(path: string, record: string, owner: string): Promise<boolean> {
  const temp = join(dirname(path), tempName(owner, basename(path)));
  await writeFile(temp, record, { flag: 'wx', mode: 0o644 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
  } finally {
    await rm(temp, { force: true });
  }
  try {
    await writeFile(path, record, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Replaces a stale lock file whole. */
async function replace(path: string, record: string, owner: string): Promise<void> {
  const temp = join(dirname(path), tempName(owner, basename(path)));
  await writeFile(temp, record, { flag: 'wx', mode: 0o644 });
  await rename(temp, path).catch(async (error: unknown) => {
    await rm(temp, { force: true });
    throw error;
  });
}

function ownPidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function describe(holder: Holder | 'missing' | undefined): string {
  if (holder === 'missing') return 'nobody';
  if (!holder) return 'a process that left no name';
  return `${holder.service} (pid ${holder.pid} on host ${holder.host}, since ${holder.since})`;
}

function heldMessage(path: string, holder: Holder | undefined): string {
  return (
    `${path} is held by ${describe(holder)}: two on one folder would overwrite each other's work; ` +
    'stop the other one, or give each its own folder'
  );
}

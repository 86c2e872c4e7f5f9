import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FORTUNE_FILES, type Fortune, type Logger } from '@fortune-sidecar/common';
import { parseHistory } from './history.ts';
import { setHistoryAside } from './set-aside.ts';

/**
 * The largest history read at start. The writer keeps at most 1000 fortunes, a few hundred
 * kilobytes; a larger file is not one it wrote, and reading it whole could take more memory
 * than the container has.
 */
export const HISTORY_MAX_BYTES = 4 * 1024 * 1024;

/** The history in the folder cannot be read or kept aside: the writer stops rather than replace it. */
export class HistoryRefusedError extends Error {
  override readonly name = 'HistoryRefusedError';
}

export interface LoadHistoryOptions {
  readonly dir: string;
  readonly log: Logger;
  readonly now?: () => Date;
}

/**
 * The fortunes a previous writer left in the folder; none on a fresh volume. A file the writer
 * can read but not use (not JSON, another format, too large) is kept aside under a new name and
 * a new history starts. One it may not read, or that is not a file at all, is left as it is and
 * the writer refuses to start (HistoryRefusedError): replacing it would lose what it holds.
 */
export async function loadHistory(options: LoadHistoryOptions): Promise<Fortune[]> {
  const path = join(options.dir, FORTUNE_FILES.history);
  const found = await readHistoryFile(path);
  if (found.kind === 'missing') return [];
  if (found.kind === 'read') {
    if (found.fortunes.length > 0) {
      options.log.info(`Found ${found.fortunes.length} earlier fortunes in ${options.dir}`);
    }
    return found.fortunes;
  }
  let kept: string;
  try {
    kept = await setHistoryAside(options.dir, (options.now ?? (() => new Date()))());
  } catch (error) {
    throw new HistoryRefusedError(
      `${path} is not a history this writer can use (${found.reason}), and ${(error as Error).message}; ` +
        'it was left as it is',
    );
  }
  options.log.warn(`Kept ${FORTUNE_FILES.history} as ${kept} and started a new history`, {
    reason: found.reason,
  });
  return [];
}

/**
 * The same, for the writer's start: a refused history ends the process with exit 1 and one line,
 * after `release` (the folder's lock, which the next start would otherwise find and wait on).
 */
export async function loadHistoryOrExit(
  service: string,
  options: LoadHistoryOptions,
  release: () => Promise<void>,
): Promise<Fortune[]> {
  try {
    return await loadHistory(options);
  } catch (error) {
    if (!(error instanceof HistoryRefusedError)) throw error;
    await release();
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
}

type HistoryFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'read'; readonly fortunes: Fortune[] }
  | { readonly kind: 'unusable'; readonly reason: string };

async function readHistoryFile(path: string): Promise<HistoryFile> {
  let file: FileHandle;
  try {
    // Without O_NONBLOCK, opening a FIFO waits for a writer that may never come.
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new HistoryRefusedError(await cannotRead(path, error as NodeJS.ErrnoException));
  }
  try {
    // Checked on the open descriptor: what is read is what was checked.
    const stats = await file.stat();
    if (!stats.isFile()) {
      throw new HistoryRefusedError(
        `${path} is ${kindOf(stats)}, not a file: the writer keeps its history there. ` +
          'Remove it or move it away, then start the writer again; it was left as it is',
      );
    }
    if (stats.size > HISTORY_MAX_BYTES) {
      return {
        kind: 'unusable',
        reason: `it is ${megabytes(stats.size)}, more than the ${megabytes(HISTORY_MAX_BYTES)} a history can be`,
      };
    }
    const bytes = await readWhole(file, stats.size);
    if (bytes === undefined) return { kind: 'unusable', reason: 'it grew while it was read' };
    try {
      return {
        kind: 'read',
        fortunes: parseHistory(new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
      };
    } catch (error) {
      return { kind: 'unusable', reason: (error as Error).message };
    }
  } catch (error) {
    if (error instanceof HistoryRefusedError) throw error;
    throw new HistoryRefusedError(await cannotRead(path, error as NodeJS.ErrnoException));
  } finally {
    await file.close();
  }
}

/** The file's `size` bytes, or undefined when it holds more: it may grow while being read. */
async function readWhole(file: FileHandle, size: number): Promise<Buffer | undefined> {
  const buffer = Buffer.alloc(size + 1);
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
  return undefined;
}

async function cannotRead(path: string, error: NodeJS.ErrnoException): Promise<string> {
  const leftAsItIs = 'it was left as it is';
  if (error.code !== 'EACCES' && error.code !== 'EPERM') {
    return `cannot read ${path} (${error.message}); ${leftAsItIs}, start the writer again once it can be read`;
  }
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const owner = await stat(path).then(
    (stats) =>
      `it belongs to uid ${stats.uid} with mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}, and `,
    () => '',
  );
  return (
    `cannot read ${path}: permission denied (${owner}this writer runs as uid ${uid}). ` +
    `Give the folder to the writer, e.g. chown -R ${uid}:${gid} ${dirname(path)}, then start it again; ${leftAsItIs}`
  );
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
}

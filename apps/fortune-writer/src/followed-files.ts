import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

export interface FollowedFilesOptions<T> {
  /** What to look up again before each use; a change of any of them means a new version. */
  readonly paths: readonly string[];
  /** Reads a version, or throws saying why it cannot be used. */
  readonly read: () => T;
  /** A new version is in use (not called for the first). */
  readonly onRead: (value: T) => void;
  /** A new version cannot be used: `kept` goes on. Called once per version. */
  readonly onUnusable: (reason: string, kept: T) => void;
}

/**
 * What files that may change while the writer runs hold, such as a ConfigMap's or a downwardAPI
 * volume's: the kubelet publishes a new version by renaming a `..data` symlink to a new folder,
 * so the paths stay and what they resolve to changes. Each call looks the paths up again and
 * compares what it finds (device, inode, size, modification time) with the last version seen;
 * only then are the files read again. A version that cannot be used keeps the last good value,
 * with one report per version, and is tried again only once the files change again.
 *
 * The first version is read here, and throws if it cannot be used, so that a bad file stops the
 * writer before it writes. Its version is taken before it is read: a swap between the two is
 * then seen at the next call, where taking it after would miss it until the files changed again.
 */
export function followFiles<T>(options: FollowedFilesOptions<T>): () => T {
  let seen = versionOf(options.paths);
  let value = options.read();
  return () => {
    const version = versionOf(options.paths);
    if (version === seen) return value;
    seen = version;
    try {
      value = options.read();
      options.onRead(value);
    } catch (error) {
      options.onUnusable((error as Error).message, value);
    }
    return value;
  };
}

function versionOf(paths: readonly string[]): string {
  return paths
    .map((path) => {
      try {
        const stats = statSync(path);
        return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      } catch (error) {
        return `error:${(error as NodeJS.ErrnoException).code ?? ''}`;
      }
    })
    .join('|');
}

/** Why a file cannot be read, in a few words: `no such file`, `permission denied`, or the error's code. */
export function readProblem(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? message);
}

/**
 * A small file's text, read through one descriptor and never more than `maxBytes` + 1 bytes of it:
 * a file that grows after it was looked up is still refused, not read whole. Throws `not a file`
 * (a FIFO is not waited on), `larger than ... MiB`, or the error of the read.
 */
export function readSmallFile(path: string, maxBytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a file');
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > maxBytes) throw new Error(`larger than ${maxBytes / (1024 * 1024)} MiB`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

import { open, realpath, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { FORTUNE_FILES, VOLUME_FACTS_FORMAT, type VolumeFacts } from '@fortune-sidecar/common';

/** Where Linux lists the mounts this process sees; missing on macOS, where `npm start` also runs. */
export const MOUNTINFO = '/proc/self/mountinfo';

/**
 * How much of the mount table is read at each write: a node with thousands of mounts makes it
 * long, and the writer only needs the line of its own folder's mount.
 */
export const MOUNTINFO_LIMIT_BYTES = 1024 * 1024;

export interface MountEntry {
  readonly point: string;
  readonly type: string;
  readonly writable: boolean;
}

/** mountinfo writes a space, a tab, a newline and a backslash in a path as \040, \011, \012, \134. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * One line of /proc/self/mountinfo (proc(5)): `id parent major:minor root point options
 * [optional fields...] - type source super-options`. Only the mount point, the type and whether
 * it is read-only are kept: the root and the source can name folders of the node.
 */
export function parseMountLine(line: string): MountEntry | undefined {
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  const point = fields[4];
  const options = fields[5];
  const type = fields[separator + 1];
  const superOptions = fields[separator + 3];
  if (separator === -1 || point === undefined || options === undefined || type === undefined)
    return undefined;
  // A read-only bind mount of a writable filesystem says ro in its own options; a filesystem
  // mounted read-only says it in the super options.
  const readOnly = (list: string | undefined) => (list ?? '').split(',').includes('ro');
  return {
    point: unescapeMountPath(point),
    type: unescapeMountPath(type),
    writable: !readOnly(options) && !readOnly(superOptions),
  };
}

function isUnder(path: string, point: string): boolean {
  return point === '/' || path === point || path.startsWith(`${point}/`);
}

/**
 * The mount that holds `path` (a real path, links resolved): the longest mount point that is
 * `path` or one of its parents. Of two mounts on one point, the later one is on top, and is the
 * one a file operation meets.
 */
export function mountOf(mountinfo: string, path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const line of mountinfo.split('\n')) {
    const entry = parseMountLine(line);
    if (entry === undefined || !isUnder(path, entry.point)) continue;
    if (best === undefined || entry.point.length >= best.point.length) best = entry;
  }
  return best;
}

async function readCapped(path: string, limit: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await file.read(buffer, length, limit - length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    // A table cut mid-line loses that line only.
    const text = buffer.subarray(0, length).toString('utf8');
    return length < limit ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  } finally {
    await file.close();
  }
}

/** The names statfs's magic numbers stand for, when the mount table cannot be read. */
const FILESYSTEM_MAGIC: Record<number, string> = {
  16914836: 'tmpfs',
  61267: 'ext4',
  1481003842: 'xfs',
  2035054128: 'overlay',
  26985: 'nfs',
  2435016766: 'btrfs',
};

/** A reason in a sentence's words: `ENOENT: no such file or directory, open ...` gives `no such file or directory`. */
function why(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const plain = /^[A-Z]+: ([^,]+)/.exec(message ?? '')?.[1];
  return plain ?? code ?? String(error);
}

export interface ReadVolumeFactsOptions {
  readonly now?: Date;
  /** The mount table to read: /proc/self/mountinfo unless a test names another. */
  readonly mountinfo?: string;
}

/**
 * What the writer sees of the volume it writes to, read once per write with a bounded number of
 * system calls: the mount table (capped), statfs and stat of the folder, and stat of each of the
 * writer's files. Never throws: what cannot be read is null, and `unknown` says why, so that a
 * missing /proc (macOS) or a folder gone for a moment never fails a write.
 */
export async function readVolumeFacts(
  dir: string,
  options: ReadVolumeFactsOptions = {},
): Promise<VolumeFacts> {
  const unknown: string[] = [];
  const real = await realpath(dir).catch(() => dir);

  let mount: VolumeFacts['mount'] = null;
  const table = options.mountinfo ?? MOUNTINFO;
  try {
    const entry = mountOf(await readCapped(table, MOUNTINFO_LIMIT_BYTES), real);
    if (entry) mount = { ...entry, folderIsMountPoint: entry.point === real };
    else unknown.push('The mount table lists no mount that holds the folder.');
  } catch (error) {
    unknown.push(`The mount table (${table}) cannot be read: ${why(error)}.`);
  }

  let space: VolumeFacts['space'] = null;
  try {
    const fs = await statfs(real);
    space = {
      size: fs.blocks * fs.bsize,
      free: fs.bavail * fs.bsize,
      type: FILESYSTEM_MAGIC[fs.type] ?? null,
    };
  } catch (error) {
    unknown.push(`The size of the filesystem cannot be read: ${why(error)}.`);
  }

  let folder: VolumeFacts['folder'] = null;
  try {
    const info = await stat(real);
    folder = { uid: info.uid, gid: info.gid, mode: (info.mode & 0o7777).toString(8).padStart(4, '0') };
  } catch (error) {
    unknown.push(`The folder cannot be looked at: ${why(error)}.`);
  }

  let count = 0;
  let bytes = 0;
  for (const name of Object.values(FORTUNE_FILES)) {
    const info = await stat(join(real, name)).catch(() => undefined);
    if (info?.isFile()) {
      count += 1;
      bytes += info.size;
    }
  }

  return {
    format: VOLUME_FACTS_FORMAT,
    seenAt: (options.now ?? new Date()).toISOString(),
    mount,
    space,
    folder,
    writerFiles: { count, bytes },
    unknown,
  };
}

/** Why nothing can be written into the folder, when its mount says so; undefined otherwise. */
export function readOnlyReason(facts: VolumeFacts): string | undefined {
  if (facts.mount === null || facts.mount.writable) return undefined;
  return `the volume at ${facts.mount.point} (${facts.mount.type}) is mounted read-only, so no file can be written in it: mount it read-write for the writer (no readOnly: true on its volumeMount)`;
}

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@fortune-sidecar/common';
import { followFiles, readProblem, readSmallFile } from './followed-files.ts';

/**
 * The files of a downwardAPI volume (or of a projected volume's downwardAPI source) that the
 * writer reads: the items `metadata.labels` and `metadata.annotations` of the manifests.
 */
export const POD_INFO_FILES = { labels: 'labels', annotations: 'annotations' } as const;

/** Annotations are limited to 256 KiB in all; a larger file is not the downward API's. */
export const POD_INFO_MAX_BYTES = 1024 * 1024;

/** One line per key, sorted by key: `[key, value]`. */
export type PodMap = readonly (readonly [string, string])[];

export interface PodInfo {
  /** Undefined when the folder has no `labels` file. */
  readonly labels: PodMap | undefined;
  readonly annotations: PodMap | undefined;
  /** The folder's own files (not its `..data` links), with their permission bits. */
  readonly files: readonly { readonly name: string; readonly mode: number }[];
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
};

/**
 * A Go double-quoted string literal, as `fmt.Sprintf("%q")` (strconv.Quote) writes it: the
 * kubelet quotes each value so. Every escape Go may write is read: `\a \b \f \n \r \t \v \\ \"`,
 * `\xHH` (a byte: Go writes bytes that are not UTF-8 this way), `\uHHHH`, `\UHHHHHHHH`, and the
 * octal `\OOO` Go also reads. Bytes are gathered and decoded as UTF-8 at the end, as Go would.
 */
export function unquoteGo(quoted: string): string {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) {
    throw new Error('not a double-quoted string');
  }
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
  const hex = (at: number, digits: number) => {
    const text = body.slice(at, at + digits);
    if (text.length !== digits || !/^[0-9A-Fa-f]+$/.test(text)) throw new Error(`bad escape at ${at}`);
    return Number.parseInt(text, 16);
  };
  for (let at = 0; at < body.length; ) {
    const char = body[at] as string;
    if (char === '"') throw new Error(`unescaped quote at ${at}`);
    if (char === '\n') throw new Error('a line break inside the quotes');
    if (char !== '\\') {
      const point = body.codePointAt(at) as number;
      const text = String.fromCodePoint(point);
      pushText(text);
      at += text.length;
      continue;
    }
    const kind = body[at + 1];
    if (kind === undefined) throw new Error('a backslash at the end');
    if (kind in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[kind] as number);
      at += 2;
    } else if (kind === 'x') {
      bytes.push(hex(at + 2, 2));
      at += 4;
    } else if (kind === 'u' || kind === 'U') {
      const digits = kind === 'u' ? 4 : 8;
      const point = hex(at + 2, digits);
      if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff))
        throw new Error(`bad code point at ${at}`);
      pushText(String.fromCodePoint(point));
      at += 2 + digits;
    } else if (/[0-7]/.test(kind)) {
      const text = body.slice(at + 1, at + 4);
      if (!/^[0-7]{3}$/.test(text) || Number.parseInt(text, 8) > 0xff) throw new Error(`bad escape at ${at}`);
      bytes.push(Number.parseInt(text, 8));
      at += 4;
    } else {
      throw new Error(`unknown escape \\${kind} at ${at}`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The downward API's form of a map (the kubelet's `fieldpath.FormatMap`): one `key="value"` line
 * per entry, the value quoted as Go's `%q` does, so that a value with a line break or a quote
 * stays on its line. Keys cannot hold `=` or spaces. Sorted by key, as the kubelet writes them.
 */
export function parsePodMap(text: string): PodMap {
  const entries: [string, string][] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const equals = line.indexOf('=');
    const key = line.slice(0, equals);
    if (equals <= 0 || /\s/.test(key)) throw new Error(`line ${index + 1} is not key="value"`);
    try {
      entries.push([key, unquoteGo(line.slice(equals + 1))]);
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}`);
    }
  });
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function readMap(path: string): PodMap | undefined {
  let text: string;
  try {
    text = readSmallFile(path, POD_INFO_MAX_BYTES);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: ${readProblem(error)}`);
  }
  try {
    return parsePodMap(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/**
 * The labels and annotations a downwardAPI volume holds in `dir`, and the folder's files. A
 * folder with neither file, or a file the writer cannot read or parse, is an error saying which.
 */
export function readPodInfo(dir: string): PodInfo {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(readProblem(error));
  }
  const labels = readMap(join(dir, POD_INFO_FILES.labels));
  const annotations = readMap(join(dir, POD_INFO_FILES.annotations));
  if (labels === undefined && annotations === undefined) {
    throw new Error(`neither ${POD_INFO_FILES.labels} nor ${POD_INFO_FILES.annotations} in it`);
  }
  // The kubelet's own entries (`..data`, `..2026_11_30_...`) start with two dots.
  const files = names
    .filter((name) => !name.startsWith('..'))
    .sort()
    .flatMap((name) => {
      try {
        return [{ name, mode: statSync(join(dir, name)).mode & 0o777 }];
      } catch {
        return [];
      }
    });
  return { labels, annotations, files };
}

function counted(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

/** Says which labels and annotations the writer shows: at start, and at each new version. */
export function logPodInfoInUse(log: Logger, info: PodInfo, dir: string): void {
  const labels = info.labels?.length ?? 0;
  const annotations = info.annotations?.length ?? 0;
  log.info(`Showing ${counted(labels, 'label')} and ${counted(annotations, 'annotation')} from ${dir}`, {
    labels,
    annotations,
  });
}

export interface PodInfoFolderOptions {
  readonly dir: string;
  readonly log: Logger;
}

/**
 * The pod's labels and annotations as the volume holds them now: looked up again before each
 * fortune through the volume's `..data` link (followFiles), read again when it changed. A
 * version that cannot be used keeps the last good one, with one warning per version.
 */
export function podInfoFolder(options: PodInfoFolderOptions): () => PodInfo {
  const { dir, log } = options;
  return followFiles<PodInfo>({
    paths: [
      dir,
      join(dir, '..data'),
      join(dir, POD_INFO_FILES.labels),
      join(dir, POD_INFO_FILES.annotations),
    ],
    read: () => readPodInfo(dir),
    onRead: (info) => logPodInfoInUse(log, info, dir),
    onUnusable: (reason) =>
      log.warn(
        `${dir} changed but cannot be used (${reason}); keeping the labels and annotations read before`,
      ),
  });
}

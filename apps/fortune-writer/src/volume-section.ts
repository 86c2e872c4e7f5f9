import type { VolumeFacts } from '@fortune-sidecar/common';

type Escape = (text: string) => string;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Sizes as `df -h` would say them, in powers of 1024: `16 MiB`, `15.9 MiB`, `612 B`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = Number.isInteger(value) || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${UNITS[unit]}`;
}

/** `drwxrwsr-x`: the folder's mode as `ls -ld` shows it, set-id and sticky bits included. */
export function folderMode(octal: string): string {
  const bits = Number.parseInt(octal, 8);
  const triple = (shift: number, special: boolean, mark: string) => {
    const r = bits & (4 << shift) ? 'r' : '-';
    const w = bits & (2 << shift) ? 'w' : '-';
    const x = bits & (1 << shift);
    const last = special ? (x ? mark : mark.toUpperCase()) : x ? 'x' : '-';
    return `${r}${w}${last}`;
  };
  return `d${triple(6, (bits & 0o4000) !== 0, 's')}${triple(3, (bits & 0o2000) !== 0, 's')}${triple(0, (bits & 0o1000) !== 0, 't')}`;
}

function fact(name: string, value: string): string {
  return `          <div><dt>${name}</dt><dd>${value}</dd></div>`;
}

function filesystem(facts: VolumeFacts, escapeHtml: Escape): string {
  const type = facts.mount?.type ?? facts.space?.type;
  const size = facts.space ? `, ${formatBytes(facts.space.size)}` : '';
  const what = type === undefined || type === null ? `unknown type${size}` : `${escapeHtml(type)}${size}`;
  if (facts.mount === null) return `<strong>${what}</strong>`;
  const access = facts.mount.writable ? 'read-write' : 'read-only';
  const where = facts.mount.folderIsMountPoint
    ? `mounted ${access} on this folder, <code>${escapeHtml(facts.mount.point)}</code>`
    : `mounted ${access} at <code>${escapeHtml(facts.mount.point)}</code>, this folder inside it`;
  return `<strong>${what}</strong>, ${where}`;
}

function space(facts: VolumeFacts): string {
  const { count, bytes } = facts.writerFiles;
  const files =
    count === 0
      ? 'the writer had no file here yet'
      : `before this write, the writer's ${count} files took ${formatBytes(bytes)}`;
  if (facts.space === null) return files;
  return `${formatBytes(facts.space.free)} free of ${formatBytes(facts.space.size)}; ${files}`;
}

function folder(facts: VolumeFacts): string | undefined {
  if (facts.folder === null) return undefined;
  const { uid, gid, mode } = facts.folder;
  const setgid = (Number.parseInt(mode, 8) & 0o2000) !== 0;
  return `owner uid ${uid}, group gid ${gid}, <code>${folderMode(mode)}</code> (${mode})${setgid ? ': setgid, so new files get the group of the folder' : ''}`;
}

/**
 * The part of the page that shows what the writer saw of its volume just before this write:
 * the filesystem and how it is mounted, its size and free space, what the writer's files take,
 * and the folder's owner, group and mode. What could not be read is said plainly. Every text
 * read from the system is escaped, as the fortunes are.
 */
export function renderVolumeFacts(facts: VolumeFacts, escapeHtml: Escape): string {
  const owner = folder(facts);
  const lines = [
    '        <dl class="facts">',
    fact('Filesystem', filesystem(facts, escapeHtml)),
    fact('Space', space(facts)),
    ...(owner ? [fact('Folder', owner)] : []),
    '        </dl>',
    ...facts.unknown.map((line) => `        <p class="note">${escapeHtml(line)}</p>`),
  ];
  return lines.join('\n');
}

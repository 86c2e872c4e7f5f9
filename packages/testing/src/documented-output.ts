import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './service-process.ts';

/** Where tests note which documented outputs they checked in this run (see scripts/checked-outputs.ts). */
export const CHECKED_OUTPUTS_DIR = join(
  REPO_ROOT,
  'node_modules',
  '.cache',
  'fortune-sidecar',
  'checked-outputs',
);

export interface DocumentedOutput {
  /** The file and line of the block, for messages. */
  readonly where: string;
  readonly command: string;
  /** The output lines; `…` in a line stands for any text. */
  readonly lines: readonly string[];
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/**
 * Every block of the docs marked `<!-- checked: id -->`: a `console` block whose first line is
 * `$ command` and whose other lines are what the command prints.
 */
export function documentedOutputs(root = REPO_ROOT): Map<string, DocumentedOutput> {
  const found = new Map<string, DocumentedOutput>();
  const files = [
    join(root, 'README.md'),
    ...markdownFiles(join(root, 'docs')),
    ...markdownFiles(join(root, 'k8s')),
  ];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, index) => {
      const id = /^<!-- checked: ([\w-]+) -->$/.exec(line.trim())?.[1];
      if (id === undefined) return;
      const where = `${relative(root, file)}:${index + 1}`;
      if (lines[index + 1]?.trim() !== '```console')
        throw new Error(`${where}: a checked output must be a console block`);
      const end = lines.findIndex((fence, at) => at > index + 1 && fence.trim() === '```');
      if (end === -1) throw new Error(`${where}: the console block is never closed`);
      const [command, ...output] = lines.slice(index + 2, end);
      if (!command?.startsWith('$ ')) throw new Error(`${where}: a checked block starts with "$ command"`);
      if (found.has(id)) throw new Error(`${where}: "${id}" is already checked at ${found.get(id)?.where}`);
      found.set(id, { where, command: command.slice(2), lines: output });
    });
  }
  return found;
}

/** `text` as a regular expression that matches it literally. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const matches = (template: string, line: string) =>
  new RegExp(`^${template.split('…').map(escapeRegExp).join('.*')}$`).test(line);

/**
 * Fails unless `actual` (what the documented command printed here) matches the block the docs
 * show for `id`, line for line, so that the guide cannot drift from what the code does. Returns
 * the block, so that a test that runs an equivalent command (podman for kubectl) can check that
 * the documented one names the same container and path.
 */
export function assertDocumentedOutput(id: string, actual: string): DocumentedOutput {
  const documented = documentedOutputs().get(id);
  if (!documented) throw new Error(`no block marked <!-- checked: ${id} --> in the docs`);
  const got = actual.replace(/\s+$/, '').split('\n');
  const same =
    got.length === documented.lines.length &&
    documented.lines.every((template, index) => matches(template, got[index] ?? ''));
  if (!same) {
    throw new Error(
      `${documented.where} shows what "${documented.command}" prints as\n${documented.lines.join('\n')}\n` +
        `but here it printed\n${got.join('\n')}`,
    );
  }
  mkdirSync(CHECKED_OUTPUTS_DIR, { recursive: true });
  writeFileSync(join(CHECKED_OUTPUTS_DIR, id), `${documented.where}\n`);
  return documented;
}

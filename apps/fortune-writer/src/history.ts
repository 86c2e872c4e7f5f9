import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FORTUNE_FILES, type Fortune, type FortuneHistory, HISTORY_FORMAT } from '@fortune-sidecar/common';

export type LoadedHistory = { readonly fortunes: Fortune[]; readonly problem?: string };

/**
 * Reads the history a previous writer left in the folder. A missing file is a fresh volume;
 * an unreadable one is reported and replaced, because losing history must not stop the writer.
 */
export async function readHistory(dir: string): Promise<LoadedHistory> {
  let raw: string;
  try {
    raw = await readFile(join(dir, FORTUNE_FILES.history), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { fortunes: [] };
    return { fortunes: [], problem: (error as Error).message };
  }
  try {
    const parsed = JSON.parse(raw) as Partial<FortuneHistory>;
    if (parsed.format !== HISTORY_FORMAT || !Array.isArray(parsed.fortunes))
      throw new Error('unknown format');
    return { fortunes: parsed.fortunes.filter(isFortune) };
  } catch (error) {
    return { fortunes: [], problem: `${FORTUNE_FILES.history} is not valid: ${(error as Error).message}` };
  }
}

function isFortune(value: unknown): value is Fortune {
  const entry = value as Partial<Fortune> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.text === 'string' &&
    typeof entry.writtenAt === 'string' &&
    typeof entry.host === 'string' &&
    (entry.node === undefined || typeof entry.node === 'string')
  );
}

/** The newest fortune first, at most `limit` in all. */
export function addToHistory(fortunes: readonly Fortune[], fortune: Fortune, limit: number): Fortune[] {
  return [fortune, ...fortunes].slice(0, limit);
}

export function serializeHistory(fortunes: readonly Fortune[]): string {
  const history: FortuneHistory = { format: HISTORY_FORMAT, fortunes };
  return `${JSON.stringify(history, null, 2)}\n`;
}

import { type Fortune, type FortuneHistory, HISTORY_FORMAT } from '@fortune-sidecar/common';

/**
 * The fortunes of a history as this writer writes it, or an error saying why the text is not
 * one. An entry that is not a fortune makes the whole text unusable: dropping it would lose it
 * at the next write.
 */
export function parseHistory(text: string): Fortune[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not JSON (${(error as Error).message})`);
  }
  const history = parsed as Partial<FortuneHistory> | null;
  if (typeof history !== 'object' || history === null || history.format !== HISTORY_FORMAT) {
    throw new Error(`it is not a history of format ${HISTORY_FORMAT}`);
  }
  if (!Array.isArray(history.fortunes)) throw new Error('it has no list of fortunes');
  const bad = history.fortunes.findIndex((entry) => !isFortune(entry));
  if (bad !== -1) throw new Error(`its entry ${bad + 1} is not a fortune`);
  return history.fortunes as Fortune[];
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

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FORTUNE_FILES,
  type Fortune,
  type Logger,
  type VolumeFacts,
  writeFilesAtomic,
} from '@fortune-sidecar/common';
import { addToHistory, serializeHistory } from './history.ts';
import type { PodInfoView } from './pod-info-section.ts';
import { type PageOptions, renderPage, renderText, STYLE_SHEET } from './render.ts';
import { readOnlyReason, readVolumeFacts } from './volume-facts.ts';

export const OWNER = 'fortune-writer';

export interface FortuneWriterOptions {
  readonly dir: string;
  /** The fortunes a previous writer left (loadHistory), newest first. */
  readonly history: readonly Fortune[];
  readonly historySize: number;
  readonly host: string;
  readonly node?: string | undefined;
  readonly pickFortune: () => string;
  readonly page: PageOptions;
  /** The pod's labels and annotations as the volume holds them at this write, when it has them. */
  readonly podInfo?: (() => PodInfoView) | undefined;
  readonly log: Logger;
  readonly now?: () => Date;
  /** What the writer sees of its volume, read at each write: readVolumeFacts unless a test says. */
  readonly readVolume?: (dir: string, now: Date) => Promise<VolumeFacts>;
}

export interface FortuneWriter {
  /** Writes a new fortune; false (and the old files untouched) when the folder cannot take it. */
  write(): Promise<boolean>;
  /** What the writes did so far, for the health and metrics endpoints. */
  status(): WriterStatus;
}

export interface WriterStatus {
  readonly writes: number;
  readonly failures: number;
  /** When the last fortune that was written in full was picked; undefined before the first. */
  readonly lastWrittenAt?: Date;
  /** Why the last write failed; undefined once a write succeeds again. */
  readonly lastError?: string;
}

/**
 * Publishes one fortune per call into the folder, as the volume contract says: the history,
 * what the writer sees of the volume, the page for browsers and its stylesheet, and the text
 * for curl. All five are written in full before any
 * replaces its old version, and the history in memory only moves on once they have, so a
 * failed write (read-only folder, full disk) leaves the last good set in place and the next
 * call tries again.
 * A missing folder is created again.
 */
export function createFortuneWriter(options: FortuneWriterOptions): FortuneWriter {
  const now = options.now ?? (() => new Date());
  const readVolume = options.readVolume ?? ((dir: string, at: Date) => readVolumeFacts(dir, { now: at }));
  let history = options.history;
  let writes = 0;
  let failures = 0;
  let lastWrittenAt: Date | undefined;
  let lastError: string | undefined;

  return {
    async write() {
      const page = join(options.dir, FORTUNE_FILES.page);
      options.log.info(`Writing fortune to ${page}`);
      let volume: VolumeFacts | undefined;
      try {
        // A folder removed under the writer comes back at the next write.
        await mkdir(options.dir, { recursive: true });
        const at = now();
        // Read before the files are written: the page shows the volume as this write found it.
        volume = await readVolume(options.dir, at);
        const fortune: Fortune = {
          text: options.pickFortune(),
          writtenAt: at.toISOString(),
          host: options.host,
          ...(options.node ? { node: options.node } : {}),
        };
        const next = addToHistory(history, fortune, options.historySize);
        // The history first and the text last: a writer killed between two renames leaves a
        // text that the history already holds.
        await writeFilesAtomic(OWNER, options.dir, [
          [FORTUNE_FILES.history, serializeHistory(next)],
          [FORTUNE_FILES.volume, `${JSON.stringify(volume, null, 2)}\n`],
          // Written with every fortune, so a folder emptied under the writer is whole again.
          [FORTUNE_FILES.style, STYLE_SHEET],
          [
            FORTUNE_FILES.page,
            renderPage([fortune, ...next.slice(1)], {
              ...options.page,
              podInfo: options.podInfo?.(),
              volume,
            }),
          ],
          [FORTUNE_FILES.text, renderText(fortune)],
        ]);
        history = next;
        writes += 1;
        lastWrittenAt = at;
        lastError = undefined;
        return true;
      } catch (error) {
        failures += 1;
        // A read-only mount is a mistake of the manifest, not of the disk: say so, and how to fix it.
        volume ??= await readVolume(options.dir, now()).catch(() => undefined);
        const reason = volume && readOnlyReason(volume);
        lastError = reason ? `${(error as Error).message}; ${reason}` : (error as Error).message;
        options.log.error(`Could not write fortune, keeping the last one: ${lastError}`);
        return false;
      }
    },
    status: () => ({
      writes,
      failures,
      ...(lastWrittenAt === undefined ? {} : { lastWrittenAt }),
      ...(lastError === undefined ? {} : { lastError }),
    }),
  };
}

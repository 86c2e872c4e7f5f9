// The results section of docs/benchmarks.md: the report goes between its markers, and only
// from a quiet machine.
import { readFile, writeFile } from 'node:fs/promises';
import { BusyMachineError } from './quiet-machine.ts';

/** Replaces what is between the page's results markers with `report`; refuses a busy run's. */
export async function writeResults(path: string, report: string, busy: readonly string[]): Promise<void> {
  if (busy.length > 0) throw new BusyMachineError(busy);
  const page = await readFile(path, 'utf8');
  // A function, so that a `$` in the report is never read as a replacement pattern.
  const updated = page.replace(
    /(<!-- results:start -->\n)[\s\S]*(<!-- results:end -->)/,
    (_, start: string, end: string) => `${start}${report}${end}`,
  );
  await writeFile(path, updated);
}

// The results section of docs/benchmarks.md: the report goes between its markers, and only
// from a quiet machine.
import { readFile, writeFile } from 'node:fs/promises';
import type { CompressedPageRow } from './compressed-page.ts';
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

/**
 * The compressed page's table: each server's requests/s and bytes per response (headers and
 * body, as wrk read them) for each file, with a browser's Accept-Encoding and without, and each
 * requests/s as a share of nginx's for the same file and request in the same run.
 */
export function compressedPageTable(rows: readonly CompressedPageRow[]): string {
  const nginx = (row: CompressedPageRow) =>
    rows.find(
      (other) =>
        other.server === 'nginx' && other.path === row.path && other.acceptEncoding === row.acceptEncoding,
    );
  const lines = rows.map((row) => {
    const reference = nginx(row);
    const { requestsPerSecond, bytesRead, requests } = row.result;
    const share = reference ? `${(requestsPerSecond / reference.result.requestsPerSecond).toFixed(2)}×` : '–';
    const bytes = requests > 0 ? Math.round(bytesRead / requests).toLocaleString('en') : '–';
    return `| ${row.server} | ${row.path} | ${row.acceptEncoding} | ${row.answered} | ${Math.round(requestsPerSecond).toLocaleString('en')} | ${bytes} | ${share} |`;
  });
  return [
    '| server | file | Accept-Encoding | sent | req/s | bytes per response | req/s × nginx |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

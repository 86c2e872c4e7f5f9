import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './service-process.ts';

/** Where test files leave the figures that docs/reliability.md reports, one file per suite. */
export const FIGURES_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'fortune-sidecar', 'figures');

/**
 * Records what a suite tried and what happened, as numbers and outcomes for the reliability
 * report (scripts/reliability-report.mjs). Written when the test file's process ends, so a
 * suite that runs only in part still leaves what it measured.
 */
export function figures<T extends object>(suite: string, initial: T): T {
  const store = structuredClone(initial);
  process.on('exit', () => {
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(join(FIGURES_DIR, `${suite}.json`), `${JSON.stringify(store, null, 2)}\n`);
  });
  return store;
}

/** One row of the reliability report's "resource bounds" section. */
export interface ResourceBound {
  /** What was done to the service, with the counts: "20,000 aborted downloads of a 3 MB file". */
  readonly tried: string;
  /** The bound the test asserts, as a user would read it: "open descriptors stay under 64". */
  readonly bound: string;
  /**
   * What this run measured ("23 descriptors open", "41 MB RSS"). It varies from run to run, so
   * the report's check compares every column but this one.
   */
  readonly measured: string;
}

/**
 * The rows a test file adds to the "resource bounds" section, under its service, with a link to
 * the file: `const bounds = resourceBounds('web-server', import.meta.url)`, then `bounds.push(...)`.
 */
export function resourceBounds(
  service: 'web-server' | 'git-sync' | 'fortune-writer',
  testFile: string,
): ResourceBound[] {
  const test = relative(REPO_ROOT, fileURLToPath(testFile));
  const suite = `resource-bounds-${service}-${basename(test).replace(/\.test\.ts$/, '')}`;
  return figures(suite, { service, test, rows: [] as ResourceBound[] }).rows;
}

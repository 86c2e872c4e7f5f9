import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

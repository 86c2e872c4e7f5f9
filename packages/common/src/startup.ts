import { ConfigErrors, type Env, unknownVariables } from './config.ts';
import type { Logger } from './log.ts';

/** Exit code of a service that was started with wrong settings. */
export const EXIT_BAD_CONFIG = 2;

/**
 * Reads a service's configuration, or stops the process with exit code 2 and one line per
 * wrong variable on stderr: a bad setting must fail at start, not at the first use.
 */
export function loadConfigOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigErrors)) throw error;
    for (const each of error.errors) process.stderr.write(`${service}: ${each.message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
}

/** Warns about variables with the service's prefixes that it does not read (most likely misspelled). */
export function warnUnknownVariables(
  log: Logger,
  env: Env,
  prefixes: readonly string[],
  known: Iterable<string>,
): void {
  const unknown = unknownVariables(env, prefixes, known);
  if (unknown.length > 0) {
    log.warn('Ignoring unknown variables (misspelled?)', {
      variables: unknown.join(','),
      known: [...known].join(','),
    });
  }
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figures } from './figures.ts';
import { runToExit, type ServiceName } from './service-process.ts';

/** A value to try: a string, or `null` for the variable left out; with other variables when it needs them. */
export type BadValue =
  | string
  | null
  | { readonly value: string | null; readonly with: Record<string, string> };

/**
 * The spec that every variable a service reads stops it at start when it is wrong: exit code
 * 2 and exactly one line, which names the variable, the value, and what is accepted. `table`
 * must list every variable in `known`, each with the wrong values worth trying for its kind
 * (left out if required, empty, malformed, out of range).
 */
export function describeBadConfiguration(
  service: Exclude<ServiceName, 'local-stack'>,
  options: {
    readonly baseEnv: Record<string, string>;
    readonly known: readonly string[];
    readonly table: Readonly<Record<string, readonly BadValue[]>>;
    /** Text that must never appear in any message, such as a password. */
    readonly secret?: string;
  },
): void {
  const counts = figures(`bad-configuration-${service}`, {
    variables: Object.keys(options.table).length,
    values: 0,
    refused: 0,
  });
  describe(`${service}: every wrong setting stops it at start, with one line that says why`, () => {
    it('the table tries every variable the service reads', () => {
      assert.deepEqual(Object.keys(options.table).sort(), [...options.known].sort());
    });
    for (const [variable, values] of Object.entries(options.table)) {
      for (const entry of values) {
        counts.values += 1;
        const { value, with: extra = {} } =
          typeof entry === 'object' && entry !== null ? entry : { value: entry };
        const shown = `${value === null ? 'left out' : JSON.stringify(value)}${Object.keys(extra).length > 0 ? ` with ${Object.keys(extra).join(', ')}` : ''}`;
        it(`${variable} ${shown} → exit 2`, async () => {
          const env = { ...options.baseEnv, ...extra };
          if (value === null) delete env[variable];
          else env[variable] = value;
          const exit = await runToExit(service, env);
          const lines = exit.output.split('\n').filter((line) => line.trim() !== '');
          assert.equal(exit.code, 2, exit.output);
          assert.equal(lines.length, 1, `one line, not:\n${exit.output}`);
          const [line = ''] = lines;
          const named =
            value === null
              ? `${service}: ${variable} is required: expected `
              : value === ''
                ? `${service}: ${variable} is set but empty: expected `
                : `${service}: ${variable}=${JSON.stringify(value.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/, '$1***@'))} is not valid`;
          assert.ok(line.startsWith(named), `"${line}" starts with "${named}"`);
          assert.match(line, /: expected \S/, 'says what is accepted');
          if (options.secret) assert.ok(!line.includes(options.secret), 'never shows the secret');
          counts.refused += 1;
        });
      }
    }
  });
}

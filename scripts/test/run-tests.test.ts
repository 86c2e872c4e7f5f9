// scripts/run-tests.ts as pnpm test:unit and each package's `pnpm test` use it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { command, REPO_ROOT, tempDir } from '@fortune-sidecar/testing';

const TESTS = {
  'in-process.test.ts': "import { it } from 'node:test';\nit('adds in process', () => {});\n",
  'spawns.test.ts': [
    "import { execFileSync } from 'node:child_process';",
    "import { it } from 'node:test';",
    "it('starts a process', () => {",
    "  execFileSync('true');",
    '});',
    '',
  ].join('\n'),
  // createRequire hides child_process from test-tiers.ts: only the fast tier's guard sees it.
  'hides.test.ts': [
    "import { createRequire } from 'node:module';",
    "import { it } from 'node:test';",
    "it('starts a process the sources do not show', () => {",
    "  createRequire(import.meta.url)('node:child_process').execFileSync('true');",
    '});',
    '',
  ].join('\n'),
};
type TestName = keyof typeof TESTS;

/** Runs run-tests.ts from a folder outside the workspace holding the named test files. */
async function runTests(options: string[], names: TestName[]) {
  const dir = await tempDir();
  for (const name of names) await writeFile(join(dir, name), TESTS[name]);
  const script = join(REPO_ROOT, 'scripts', 'run-tests.ts');
  return command(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...options, ...names], {
    cwd: dir,
  });
}

describe('run-tests.ts', () => {
  it('runs every file it is given, and ends with the summary line', async () => {
    const { code, stdout } = await runTests([], ['in-process.test.ts', 'spawns.test.ts']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /✔ adds in process/);
    assert.match(stdout, /✔ starts a process/);
    assert.match(stdout, /^2 passed, 0 failed, 0 skipped$/m);
  });

  it('with --unit, runs only the files that start no process, and says how many those are', async () => {
    const { code, stdout } = await runTests(['--unit'], ['in-process.test.ts', 'spawns.test.ts']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^1 of 2 test files start no process/m);
    assert.match(stdout, /✔ adds in process/);
    assert.doesNotMatch(stdout, /starts a process/);
  });

  it('with --unit, runs nothing when no file qualifies, rather than every test Node would find', async () => {
    const { code, stdout } = await runTests(['--unit'], ['spawns.test.ts']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^0 of 1 test files start no process/m);
    assert.doesNotMatch(stdout, /passed/);
  });

  it('with --unit, fails a test that starts a process in a way the sources do not show', async () => {
    const { code, stdout } = await runTests(['--unit'], ['hides.test.ts']);
    assert.equal(code, 1, stdout);
    assert.match(
      stdout,
      /execFileSync\(\) in the fast tier: scripts\/test-tiers\.ts took this file for a unit test/,
    );
  });

  it('with --list, names the tier of each file and, for the others, what starts a process', async () => {
    const { code, stdout } = await runTests(['--list'], ['in-process.test.ts', 'spawns.test.ts']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^unit {3}in-process\.test\.ts$/m);
    assert.match(
      stdout,
      /^other {2}spawns\.test\.ts\n +\S*spawns\.test\.ts → execFileSync \(node:child_process\)$/m,
    );
  });
});

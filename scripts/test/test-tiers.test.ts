// Which test files pnpm test:unit runs: those that can never start a process, read from the
// sources. Each case is a small project of its own in a temporary folder.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { type Classification, classify } from '../test-tiers.ts';

/** Writes the files, then classifies the one named test.test.ts. */
async function tierOf(files: Record<string, string>): Promise<Classification> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const [classification] = classify([join(dir, 'test.test.ts')]);
  assert.ok(classification);
  return classification;
}

const HELPERS = {
  'helpers/index.ts': "export * from './pure.ts';\nexport * from './processes.ts';\n",
  'helpers/pure.ts': 'export function double(n: number): number {\n  return 2 * n;\n}\n',
  'helpers/processes.ts': [
    "import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';",
    "import { promisify } from 'node:util';",
    'const run = promisify(execFile);',
    'const started: ChildProcess[] = [];',
    "process.on('exit', () => {",
    "  for (const child of started) execFileSync('kill', [String(child.pid)]);",
    '});',
    'export function startServer(): ChildProcess {',
    "  const child = spawn('server');",
    '  started.push(child);',
    '  return child;',
    '}',
    "export const gitVersion = () => run('git', ['--version']);",
    "export const SERVER_NAME = 'server';",
    '',
  ].join('\n'),
};

const test = (imports: string, body: string) =>
  `import { it } from 'node:test';\n${imports}\nit('works', async () => {\n  ${body}\n});\n`;

describe('the fast tier', () => {
  it('takes a test that uses only what starts no process from a barrel that also holds helpers that do', async () => {
    const tier = await tierOf({
      ...HELPERS,
      'test.test.ts': test(
        "import { double, SERVER_NAME } from './helpers/index.ts';",
        'double(SERVER_NAME.length);',
      ),
    });
    assert.deepEqual(tier, { file: tier.file, unit: true });
  });

  it('leaves out a test that calls a helper which starts a process, and names the way there', async () => {
    const tier = await tierOf({
      ...HELPERS,
      'test.test.ts': test("import { startServer } from './helpers/index.ts';", 'startServer();'),
    });
    assert.equal(tier.unit, false);
    assert.match(
      tier.because ?? '',
      /test\.test\.ts → startServer \(.*helpers\/index\.ts\) → spawn \(node:child_process\)$/,
    );
  });

  it('follows a value made when its module loads, such as promisify(execFile), where it is used', async () => {
    const tier = await tierOf({
      ...HELPERS,
      'test.test.ts': test("import { gitVersion } from './helpers/processes.ts';", 'await gitVersion();'),
    });
    assert.match(tier.because ?? '', /→ gitVersion .* → run → execFile \(node:child_process\)$/);
  });

  it('leaves out a test that starts a process itself, in a test or as its file loads', async () => {
    const inTest = await tierOf({
      'test.test.ts': test("import { execFileSync } from 'node:child_process';", "execFileSync('true');"),
    });
    assert.equal(inTest.unit, false);
    const atLoad = await tierOf({
      'test.test.ts': "import { execFileSync } from 'node:child_process';\nexecFileSync('true');\n",
    });
    assert.equal(atLoad.unit, false);
  });

  it('leaves out a test whose imported module starts a process as it loads', async () => {
    const tier = await tierOf({
      'loads.ts':
        "import { execFileSync } from 'node:child_process';\nexecFileSync('true');\nexport const x = 1;\n",
      'test.test.ts': test("import { x } from './loads.ts';", 'x;'),
    });
    assert.match(tier.because ?? '', /test\.test\.ts → .*loads\.ts → execFileSync \(node:child_process\)$/);
  });

  it('leaves out a browser test and a test that imports a module it cannot name', async () => {
    const browser = await tierOf({
      'test.test.ts': test("import { chromium } from 'playwright-core';", 'await chromium.launch();'),
    });
    assert.match(browser.because ?? '', /chromium \(playwright-core\)$/);
    const computed = await tierOf({
      'test.test.ts': test('', "const name = 'node:child_process';\n  await import(name);"),
    });
    assert.match(computed.because ?? '', /import\(…\) \(import\(\) of a computed name\)$/);
  });

  it('follows a module imported by name with import()', async () => {
    const tier = await tierOf({
      ...HELPERS,
      'test.test.ts': test(
        '',
        "const { startServer } = await import('./helpers/processes.ts');\n  startServer();",
      ),
    });
    assert.match(tier.because ?? '', /→ import\(\.\/helpers\/processes\.ts\) .* \(node:child_process\)$/);
  });

  it('ignores what only types use: a type import, even of a module that starts a process, and a class named as a type', async () => {
    const tier = await tierOf({
      'loads.ts':
        "import { execFileSync } from 'node:child_process';\nexecFileSync('true');\nexport type X = number;\n",
      'test.test.ts': test(
        "import { ChildProcess } from 'node:child_process';\nimport type { X } from './loads.ts';",
        'const child: ChildProcess | X | undefined = undefined;\n  child;',
      ),
    });
    assert.equal(tier.unit, true, tier.because);
  });
});

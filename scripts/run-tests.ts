// Runs test files with Node's test runner the way `npm test` does: the spec reporter, then one
// summary line. With --unit, only the files scripts/test-tiers.ts finds start no process, each
// under no-processes.mjs; with --list, says which files those are and why the others are not.
// Options that start with --test (--test-concurrency=2, --test-name-pattern=…) go to Node.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { classify } from './test-tiers.ts';

const USAGE = 'Usage: node --import tsx scripts/run-tests.ts [--unit | --list] [--test-…] <test files>';
const SCRIPTS = dirname(fileURLToPath(import.meta.url));

const args = process.argv.slice(2);
const nodeOptions = args.filter((arg) => arg.startsWith('--test'));
const own = args.filter((arg) => arg.startsWith('-') && !arg.startsWith('--test'));
const files = args.filter((arg) => !arg.startsWith('-'));
if (own.some((arg) => arg !== '--unit' && arg !== '--list') || files.length === 0) {
  console.error(USAGE);
  process.exit(2);
}

if (own.includes('--list')) {
  for (const { file, unit, because } of classify(files))
    console.log(unit ? `unit   ${file}` : `other  ${file}\n         ${because}`);
  process.exit(0);
}

let selected = files;
const preload: string[] = [];
if (own.includes('--unit')) {
  selected = classify(files)
    .filter(({ unit }) => unit)
    .map(({ file }) => file);
  console.log(
    `${selected.length} of ${files.length} test files start no process (--list says why the others do)`,
  );
  // Node would look for test files on its own if given none.
  if (selected.length === 0) process.exit(0);
  preload.push('--import', pathToFileURL(join(SCRIPTS, 'no-processes.mjs')).href);
}

// Two files at a time unless told otherwise, as npm test has always run the service tests.
const concurrency = nodeOptions.some((option) => option.startsWith('--test-concurrency'))
  ? []
  : ['--test-concurrency=2'];
const reporters = ['spec', pathToFileURL(join(SCRIPTS, 'test-summary.mjs')).href].flatMap((reporter) => [
  `--test-reporter=${reporter}`,
  '--test-reporter-destination=stdout',
]);
// Run from a test (scripts/test does), Node would take this run for part of that one.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;
const child = spawn(
  process.execPath,
  [
    '--import',
    import.meta.resolve('tsx'),
    ...preload,
    '--test',
    ...concurrency,
    ...reporters,
    ...nodeOptions,
    ...selected,
  ],
  { stdio: 'inherit', env },
);
// Ctrl-C reaches the test runner too, which stops its tests and reports; this waits for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));

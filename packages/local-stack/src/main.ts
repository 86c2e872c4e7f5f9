import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GitMissingError } from './sample-site.ts';
import { SITE_LINK, startStack } from './stack.ts';

const USAGE = `Usage: npm start [-- --git-sync]

Runs fortune-writer and web-server (and git-sync with --git-sync) as local processes that
share a temporary folder. Every service variable applies: WEB_PORT=9000 FORTUNE_INTERVAL=1s npm start.
Ctrl-C stops everything and removes the folder.`;

let args: { 'git-sync'?: boolean; help?: boolean };
try {
  args = parseArgs({
    options: { 'git-sync': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const dir = await mkdtemp(join(tmpdir(), 'fortune-stack-'));
const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);
const width = 'fortune-writer'.length;

let announced = false;
const stack = await startStack({
  dir,
  withGitSync: args['git-sync'] === true,
  env: process.env,
  onLine: (name, line) => {
    process.stdout.write(`[${name}]${' '.repeat(width - name.length)} ${line}\n`);
    const listening = name === 'web-server' && !announced ? urlField(line) : undefined;
    if (listening) {
      announced = true;
      void announceWhenReady(new URL(listening));
    }
  },
}).catch(async (error: Error) => {
  // Nothing has started that outlives this process (startStack makes the sample repository
  // before it starts a service); what is left is the folder.
  await rm(dir, { recursive: true, force: true });
  const line =
    error instanceof GitMissingError ? error.message : `npm start: ${error.message.split('\n')[0]}`;
  process.stderr.write(`${line}\n`);
  process.exit(1);
});
say(`Shared folder: ${stack.volume}`);

/** The `url` field of a service's log line: a JSON key with LOG_FORMAT=json, ` url=…` in text. */
function urlField(line: string): string | undefined {
  if (!line.startsWith('{')) return /\surl=(\S+)/.exec(line)?.[1];
  try {
    const { url } = JSON.parse(line) as { url?: unknown };
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Says where the fortune is once there is one to fetch (the web server's /readyz answers 200
 * after the writer's first write), so that a curl right after the line never gets a 404,
 * however long the first write takes on a busy machine. Until then the services' own lines say
 * what they do, the web server's with its address.
 */
async function announceWhenReady(url: URL): Promise<void> {
  const ready = () =>
    fetch(new URL('/readyz', url)).then(
      (answer) => answer.ok,
      () => false,
    );
  while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 20));
  if (url.hostname === '127.0.0.1' || url.hostname === '0.0.0.0') url.hostname = 'localhost';
  say(`The fortune is at ${url.href}  (curl ${url.href} prints it; a browser shows the page)`);
  if (stack.sampleRepo)
    say(`The git-synced site is at ${url.href}${SITE_LINK}/; commit in ${stack.sampleRepo} to change it`);
  say('Press Ctrl-C to stop.');
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  say(`Stopped; removed ${dir}`);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Services run in their own process groups; never leave one behind if this process dies.
process.on('exit', () => {
  for (const { child } of stack.services) if (child.exitCode === null) child.kill('SIGKILL');
});

const { name, code } = await stack.firstExit;
if (!stopping) {
  say(`${name} stopped with exit code ${code}; stopping the others`);
  await shutdown(code === 0 ? 1 : code);
}

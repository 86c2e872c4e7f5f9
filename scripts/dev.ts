// pnpm dev: the local stack that npm start runs, rebuilt and restarted whenever a source file
// of a bundle changes. The stack is restarted rather than its services one by one because it
// owns them: stopping it stops each service and removes its shared folder, as Ctrl-C does.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { watchTree } from '../apps/web-server/src/watch-tree.ts';

const USAGE = `Usage: pnpm dev [--git-sync]

Runs the stack as npm start does (every service variable applies), and rebuilds the bundles and
restarts the stack when a source file of a service, or of a package it bundles, changes.
Ctrl-C stops everything and removes the stack's folder.`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STACK = join(ROOT, 'packages', 'local-stack', 'dist', 'main.js');
// A save is often several events (a temporary file, then a rename): built once they are in.
const SETTLE_MS = 100;

const say = (line: string) => process.stdout.write(`[dev] ${line}\n`);

interface WorkspacePackage {
  readonly dir: string;
  readonly name: string;
  /** Its build script, if it makes a bundle. */
  readonly build: string | undefined;
  readonly dependencies: readonly string[];
}
type Bundle = WorkspacePackage & { readonly build: string };

async function workspacePackages(): Promise<WorkspacePackage[]> {
  const found: WorkspacePackage[] = [];
  for (const parent of ['apps', 'packages']) {
    for (const entry of await readdir(join(ROOT, parent), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(ROOT, parent, entry.name);
      const json = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      found.push({
        dir,
        name: json.name,
        build: json.scripts?.build,
        dependencies: Object.keys(json.dependencies ?? {}),
      });
    }
  }
  return found;
}

/** The packages with a build script (the bundles), and the packages they bundle. */
async function bundles(): Promise<{ built: Bundle[]; sources: string[] }> {
  const all = await workspacePackages();
  const built = all.filter((pkg): pkg is Bundle => pkg.build !== undefined);
  const bundled = all.filter((pkg) => built.some((bundle) => bundle.dependencies.includes(pkg.name)));
  const sources = [...new Set([...built, ...bundled].map((pkg) => join(pkg.dir, 'src')))];
  return { built, sources };
}

/** The builds under way, stopped by Ctrl-C. */
const builds = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? 1);
    else child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** Each package's own build script, all at once; true if every one succeeded. */
async function build(packages: readonly Bundle[]): Promise<boolean> {
  const codes = await Promise.all(
    packages.map((pkg) => {
      const child = spawn(pkg.build, { cwd: pkg.dir, shell: true, stdio: 'inherit' });
      builds.add(child);
      return exited(child).finally(() => builds.delete(child));
    }),
  );
  return codes.every((code) => code === 0);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}

const { built, sources } = await bundles();
let stack: ChildProcess | undefined;
let stopping = false;

function startStack(): void {
  const child = spawn(process.execPath, [STACK, ...process.argv.slice(2)], { stdio: 'inherit' });
  stack = child;
  child.once('exit', (code) => {
    if (stack !== child) return;
    stack = undefined;
    if (!stopping) say(`the stack stopped with exit code ${code}; it starts again at the next change`);
  });
}

async function stopStack(): Promise<void> {
  const child = stack;
  if (!child) return;
  stack = undefined;
  child.kill('SIGTERM');
  await exited(child);
}

/** Why the next build is due (the start, or the latest change), and the build loop if running. */
let due: string | undefined;
let building: Promise<void> | undefined;

async function buildAndRestart(): Promise<void> {
  while (due !== undefined && !stopping) {
    await sleep(SETTLE_MS);
    say(due);
    due = undefined;
    if (!(await build(built))) {
      if (!stopping)
        say(
          `the build failed; ${stack ? 'the stack runs the previous build' : 'nothing runs'} until the next change`,
        );
      continue;
    }
    if (stopping) return;
    await stopStack();
    if (!stopping) startStack();
  }
}

/** Builds and (re)starts the stack, once more after the current round if one is under way. */
function rebuild(reason: string): void {
  due = reason;
  building ??= buildAndRestart().finally(() => {
    building = undefined;
  });
}

// One inotify watch per folder, as the web server watches what it serves: Node.js 22's recursive
// fs.watch misses a file replaced by a rename, which is how many editors save. Hidden entries
// (an editor's swap files) are not reported.
const watches = sources.map((dir) =>
  watchTree(dir, {
    maxFolders: Number.POSITIVE_INFINITY,
    onChange: () => rebuild(`${relative(ROOT, dir)} changed: rebuilding`),
    onFull: () => say(`the kernel watches no more folders: some of ${relative(ROOT, dir)} is not watched`),
    onError: (error) => say(`watching ${relative(ROOT, dir)}: ${(error as Error).message}`),
  }),
);

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of builds) child.kill('SIGTERM');
  await Promise.all(watches.map((watch) => watch.close()));
  await building;
  await stopStack();
  process.exit(0);
}
// Ctrl-C reaches the stack too, which stops its services; this waits for it to finish.
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
// Ended by an error instead, this leaves the stack to stop by itself: its services stopped and
// its folder removed, rather than running on without anyone to stop them.
process.on('exit', () => stack?.kill('SIGTERM'));

await Promise.all(watches.map((watch) => watch.ready));
say(`watching ${sources.map((dir) => relative(ROOT, dir)).join(', ')}`);
rebuild('building');

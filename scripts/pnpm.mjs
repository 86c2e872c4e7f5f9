#!/usr/bin/env node
// `npm start` and `npm test` must work on a machine that has only Node.js and npm:
// this runs the pnpm version pinned in package.json ("packageManager") through npx,
// installing the workspace first whenever the lockfile is newer than the install.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager, engines } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// pnpm itself refuses an older Node.js with an npm engine error that names pnpm, not the project.
const floor = engines.node.replace(/^>=/, '');
const [major, minor] = process.versions.node.split('.').map(Number);
const [floorMajor, floorMinor] = floor.split('.').map(Number);
if (major < floorMajor || (major === floorMajor && minor < floorMinor)) {
  console.error(
    `fortune-sidecar needs Node.js ${floor} or newer; this is ${process.versions.node}. ` +
      'Install a maintained line (22, 24 or 26) from https://nodejs.org/, or run `nvm install` here (it reads .nvmrc).',
  );
  process.exit(1);
}

function needsInstall() {
  const installed = join(root, 'node_modules', '.pnpm', 'lock.yaml');
  if (!existsSync(installed)) return true;
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs > statSync(installed).mtimeMs;
}

function pnpm(args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--yes', packageManager, ...args], { cwd: root, stdio: 'inherit' });
    // Ctrl-C reaches the whole process group; the child decides how to stop, we wait for it.
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', () => {});
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

if (needsInstall()) {
  const code = await pnpm(['install', '--frozen-lockfile']);
  if (code !== 0) process.exit(code);
}
process.exit(await pnpm(process.argv.slice(2)));

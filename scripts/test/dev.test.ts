// pnpm dev as a contributor meets it: on a copy of the services' sources, so that a change made
// here rebuilds the copy's bundles and never the checkout's.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpGet, PATIENCE_MS, REPO_ROOT, tempDir } from '@fortune-sidecar/testing';

const PACKAGES = [
  'apps/fortune-writer',
  'apps/git-sync',
  'apps/web-server',
  'packages/common',
  'packages/local-stack',
];

/**
 * The scripts and the sources of the stack's packages, with the checkout's dependencies (so the
 * copy's bundles take @fortune-sidecar/common from the checkout: changes here go to the apps).
 */
async function copyOfTheStack(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'scripts'));
  for (const script of ['dev.ts', 'bundle.mjs'])
    await cp(join(REPO_ROOT, 'scripts', script), join(dir, 'scripts', script));
  await cp(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const pkg of PACKAGES) {
    await cp(join(REPO_ROOT, pkg, 'src'), join(dir, pkg, 'src'), { recursive: true });
    await cp(join(REPO_ROOT, pkg, 'package.json'), join(dir, pkg, 'package.json'));
    await symlink(join(REPO_ROOT, pkg, 'node_modules'), join(dir, pkg, 'node_modules'));
  }
  return dir;
}

/** The output's lines; next() finds the first matching line after the one it found last. */
function reader(child: ChildProcess) {
  const lines: string[] = [];
  let ended = false;
  const waiting = new Set<() => void>();
  const wake = () => {
    for (const check of waiting) check();
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
      wake();
    });
  }
  child.on('exit', () => {
    ended = true;
    wake();
  });
  /** The first line from `from` on that matches, with its index. */
  const find = (match: RegExp, from: number) =>
    new Promise<{ found: RegExpExecArray; index: number }>((resolve, reject) => {
      const fail = (why: string) => {
        stop();
        reject(new Error(`pnpm dev ${why} without a line matching ${match}:\n${lines.join('\n')}`));
      };
      const patience = setTimeout(() => fail(`went ${PATIENCE_MS} ms`), PATIENCE_MS);
      const stop = () => {
        clearTimeout(patience);
        waiting.delete(check);
      };
      const check = () => {
        for (let index = from; index < lines.length; index++) {
          const found = match.exec(lines[index] ?? '');
          if (found) {
            stop();
            return resolve({ found, index });
          }
        }
        if (ended) fail('ended');
      };
      waiting.add(check);
      check();
    });
  let cursor = 0;
  return {
    lines,
    find,
    async next(match: RegExp): Promise<RegExpExecArray> {
      const { found, index } = await find(match, cursor);
      cursor = index + 1;
      return found;
    },
  };
}

/** The pids of the processes whose command line names a file under `dir`. */
async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const commandLine = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(`${dir}/`)) pids.push(Number(name));
  }
  return pids;
}

describe('pnpm dev', { skip: !existsSync('/proc/self/cmdline') && 'reads /proc' }, () => {
  let dir: string;
  let dev: ChildProcess;
  let output: ReturnType<typeof reader>;
  let url: URL;
  let folder: string;

  /** Replaces a source file in one rename, as an editor saves it. */
  async function save(file: string, change: (text: string) => string) {
    const path = join(dir, file);
    await writeFile(join(dir, 'saved.tmp'), change(await readFile(path, 'utf8')));
    await rename(join(dir, 'saved.tmp'), path);
  }

  async function started() {
    [, folder = ''] = await output.next(/^\[stack\] Shared folder: (\S+)\/volume$/);
    const [, href = ''] = await output.next(/^\[stack\] The fortune is at (\S+)/);
    url = new URL(href);
  }

  before(async () => {
    dir = await copyOfTheStack();
    // Its own process group, which Ctrl-C in a terminal signals as a whole.
    dev = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(dir, 'scripts', 'dev.ts')], {
      env: { ...process.env, WEB_PORT: '0', LOG_FORMAT: 'text' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    output = reader(dev);
  });
  // After a failure, as Ctrl-C would: the stack stops its services and removes its folder.
  after(async () => {
    if (dev.exitCode !== null) return;
    const exit = new Promise((resolve) => dev.once('exit', resolve));
    process.kill(-(dev.pid as number), 'SIGINT');
    await exit;
  });

  it('builds the bundles, then runs the stack, which serves a fortune', async () => {
    await started();
    const answer = await httpGet(url, '/', { headers: { accept: '*/*' } });
    assert.equal(answer.status, 200);
    assert.notEqual(answer.body.trim(), '');
  });

  it('rebuilds and restarts the stack when a source changes: the old services stopped, their folder removed', async () => {
    const old = folder;
    const from = output.lines.length;
    await save('apps/fortune-writer/src/main.ts', (text) =>
      text.replace('Writing a fortune every', 'Writing a fresh fortune every'),
    );
    await output.next(/^\[dev\] apps\/fortune-writer\/src changed: rebuilding$/);
    await started();
    // Logged before or after the stack's line, as the services start.
    await output.find(/^\[fortune-writer\] .*Writing a fresh fortune every/, from);
    assert.notEqual(folder, old);
    assert.equal(existsSync(old), false);
    assert.equal((await httpGet(url, '/')).status, 200);
    const services = (await processesUnder(join(dir, 'apps'))).length;
    assert.equal(services, 2, 'the new fortune-writer and web-server, and nothing else');
  });

  it('keeps the stack running when a change does not build, and restarts once it does', async () => {
    await save('apps/web-server/src/negotiate.ts', (text) => `${text}\nexport const = ;\n`);
    const [, running] = await output.next(/^\[dev\] the build failed; (.*) until the next change$/);
    assert.equal(running, 'the stack runs the previous build');
    assert.equal((await httpGet(url, '/')).status, 200);
    await save('apps/web-server/src/negotiate.ts', (text) => text.replace('\nexport const = ;\n', ''));
    await started();
    assert.equal((await httpGet(url, '/')).status, 200);
  });

  it('stops everything on Ctrl-C and leaves no process and no folder behind', async () => {
    const exit = new Promise((resolve) => dev.once('exit', resolve));
    process.kill(-(dev.pid as number), 'SIGINT');
    assert.equal(await exit, 0);
    await output.next(new RegExp(`^\\[stack\\] Stopped; removed ${folder}$`));
    assert.equal(existsSync(folder), false);
    assert.deepEqual(await processesUnder(dir), []);
  });
});

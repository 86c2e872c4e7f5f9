// The git server as shipped in the git-sync image (dist/main.js, built by `pnpm run build`), run
// with a real `git http-backend` behind it. It depends on no package of the workspace, so these
// tests use Node.js and git alone.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SEED = fileURLToPath(new URL('../seed-site.sh', import.meta.url));

function run(file: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  after(() => child.kill('SIGKILL'));
  return { child, output: () => output };
}

const base = await mkdtemp(join(tmpdir(), 'git-server-'));
after(() => run('rm', ['-rf', base]));

describe('the shipped git server', () => {
  it('stops at start with exit code 2, naming GIT_SERVER_PASSWORD_FILE, when it cannot read the file', async () => {
    const { child, output } = start({
      GIT_SERVER_ROOT: base,
      GIT_SERVER_PORT: String(await freePort()),
      GIT_SERVER_USERNAME: 'fortune',
      GIT_SERVER_PASSWORD_FILE: join(base, 'missing'),
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(
      output(),
      /^git-server: GIT_SERVER_PASSWORD_FILE=".*missing" is not valid \(cannot use it: ENOENT\)/,
    );
  });

  it('serves the seeded site to the user with the password the file holds at each request', async () => {
    assert.equal((await run(SEED, [base])).code, 0);
    const file = join(base, 'password');
    await writeFile(file, 'first\n');
    const port = await freePort();
    const { output } = start({
      GIT_SERVER_ROOT: base,
      GIT_SERVER_PORT: String(port),
      GIT_SERVER_USERNAME: 'fortune',
      GIT_SERVER_PASSWORD_FILE: file,
    });
    const url = (password: string) => `http://fortune:${password}@127.0.0.1:${port}/site.git`;
    for (let tries = 0; !output().includes('Serving'); tries += 1) {
      assert.ok(tries < 500, `the server did not start: ${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await run('git', ['ls-remote', url('first'), 'main'])).code, 0);
    assert.notEqual((await run('git', ['ls-remote', `http://127.0.0.1:${port}/site.git`])).code, 0);

    // As the kubelet swaps a Secret: a whole new file renamed over the old one.
    await writeFile(`${file}.tmp`, 'second\n');
    await rename(`${file}.tmp`, file);
    assert.notEqual((await run('git', ['ls-remote', url('first')])).code, 0, 'the old password is refused');
    assert.equal((await run('git', ['ls-remote', url('second'), 'main'])).code, 0, 'the new one is taken');
    assert.match(output(), /Refused a request for \/site\.git\/info\/refs: wrong user name or password/);

    await writeFile(file, '');
    const empty = await run('git', ['ls-remote', url('second')]);
    assert.match(empty.output, /503/, 'an empty password file refuses every request');
    assert.ok(!output().includes('second') && !output().includes('first'), 'no password in the log');
  });
});

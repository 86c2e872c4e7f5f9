import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  assertDocumentedOutput,
  bundlePath,
  eventually,
  httpGet,
  PATIENCE_MS,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
import fortunes from 'fortune-cookie';

const BROWSER = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';

/** The processes (on Linux, through /proc) whose environment holds `entry`, as pids. */
function processesWithEnv(entry: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      return readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry) ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

// A request timeout no request here meets, however long a busy machine holds it back.
const SETTINGS = { WEB_PORT: '0', LOG_FORMAT: 'text', WEB_REQUEST_TIMEOUT: '10m' };

async function startStack(env: Record<string, string>, args: string[] = []) {
  const stack = startService('local-stack', { ...SETTINGS, ...env }, args);
  const [, url] = await stack.waitForOutput(/^\[stack\] The fortune is at (\S+)/);
  const [, folder] = await stack.waitForOutput(/^\[stack\] Shared folder: (\S+)\/volume$/);
  return { stack, url: new URL(url as string), folder: folder as string };
}

describe('npm start: the stack as local processes', () => {
  it('serves a fortune to curl and the page to a browser, and the fortune changes every interval', async () => {
    const { url } = await startStack({ FORTUNE_INTERVAL: '300ms' });
    const first = (await httpGet(url, '/', { headers: { accept: '*/*' } })).body;
    assert.ok(fortunes.includes(first.trimEnd()), first);
    assert.match((await httpGet(url, '/', { headers: { accept: BROWSER } })).body, /<!doctype html>/);
    await eventually(async () => ((await httpGet(url, '/')).body !== first ? true : undefined), {
      what: 'a new fortune',
    });
  });

  it("says where the fortune is with LOG_FORMAT=json too, from the web server's url field", async () => {
    const { url } = await startStack({ LOG_FORMAT: 'json' });
    assert.match(url.href, /^http:\/\/localhost:\d+\/$/);
    assert.equal((await httpGet(url, '/readyz')).status, 200);
  });

  // Each service stops by its own shutdown, not at its time limit, which would say so; between
  // two writes, which on a busy machine could outlast that limit by themselves.
  it('stops everything on Ctrl-C and removes the shared folder', async () => {
    const { stack, folder } = await startStack({ FORTUNE_INTERVAL: '1h' });
    assert.ok(existsSync(folder));
    // Every service running, not just the web server the stack waits for.
    await stack.waitForOutput(/^\[fortune-writer\] .*Writing a fortune every/);
    const exit = await stack.stop('SIGINT');
    assert.deepEqual([exit.code, exit.signal], [0, null]);
    assert.equal(existsSync(folder), false);
    const output = stack.output.join('\n');
    for (const service of ['fortune-writer', 'web-server'])
      assert.match(output, new RegExp(`\\[${service}\\] .* SIGTERM received, shutting down`));
    assert.doesNotMatch(output, /Shutdown took too long/);
    assert.match(output, /^\[stack\] Stopped; removed /m);
  });

  it('stops, with the service error shown, when a setting is wrong', async () => {
    const stack = startService('local-stack', { WEB_PORT: '0', FORTUNE_INTERVAL: 'often' });
    const exit = await stack.exited;
    assert.equal(exit.code, 2);
    assert.match(
      stack.output.join('\n'),
      /\[fortune-writer\] fortune-writer: FORTUNE_INTERVAL="often" is not valid/,
    );
  });

  it('never serves an empty or partial fortune while the writer rewrites every 20 ms', async () => {
    const { url } = await startStack({ FORTUNE_INTERVAL: '20ms' });
    const seen = new Set<string>();
    let requests = 0;
    const patience = AbortSignal.timeout(PATIENCE_MS);
    // Until the writer has gone through more than fifty fortunes, however long that takes here.
    const reader = async (accept: string) => {
      while (seen.size <= 50) {
        if (patience.aborted) assert.fail(`saw ${seen.size} fortunes in ${requests} requests`);
        const answer = await httpGet(url, '/', { headers: { accept } });
        requests += 1;
        assert.equal(answer.status, 200);
        if (accept === '*/*') {
          assert.ok(
            fortunes.includes(answer.body.trimEnd()) && answer.body.endsWith('\n'),
            `torn text: ${JSON.stringify(answer.body)}`,
          );
          seen.add(answer.body);
        } else {
          assert.match(answer.body, /^<!doctype html>[\s\S]*<\/html>\n$/, 'torn page');
        }
      }
    };
    await Promise.all([reader('*/*'), reader('*/*'), reader(BROWSER), reader(BROWSER)]);
  });

  it('with --git-sync on a machine without git, says in one line what to install, exits 1 and leaves nothing behind', async () => {
    const bin = await tempDir('fortune-nogit-bin-');
    await symlink(process.execPath, join(bin, 'node'));
    // The stack makes its folder under os.tmpdir(): a folder of this test's own, to see it go.
    const tmp = await tempDir('fortune-nogit-tmp-');
    const env = { PATH: bin, TMPDIR: tmp, WEB_PORT: '0', LOG_FORMAT: 'text' };
    const exit = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [bundlePath('local-stack'), '--git-sync'],
        { env, timeout: PATIENCE_MS },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    const leftover = processesWithEnv(`TMPDIR=${tmp}`);
    for (const pid of leftover) process.kill(pid, 'SIGKILL');

    assert.equal(exit.code, 1, `stdout: ${exit.stdout}\nstderr: ${exit.stderr}`);
    assert.equal(
      exit.stderr,
      'npm start -- --git-sync needs git, which is not on the PATH: install it (apt-get install git, brew install git) or start without --git-sync\n',
    );
    assert.doesNotMatch(exit.stdout, /ENOENT|\n\s+at /);
    assert.deepEqual(readdirSync(tmp), [], 'the stack left its folder behind');
    assert.deepEqual(leftover, [], 'the stack left a service running');
  });

  it('with --git-sync, serves a site from a local repository at /site/ and publishes a new commit', async () => {
    const { stack, url } = await startStack({ GITSYNC_PERIOD: '200ms' }, ['--git-sync']);
    const [, repo] = await stack.waitForOutput(
      /^\[stack\] The git-synced site is at \S+; commit in (\S+) to change it$/,
    );
    const site = await eventually(
      async () => {
        const answer = await httpGet(url, '/site/');
        return answer.status === 200 ? answer.body : undefined;
      },
      { what: 'the synced site' },
    );
    assert.match(site, /A site kept in sync by git-sync/);
    assertDocumentedOutput('local-git-sync-site', site);
    assert.ok(
      fortunes.includes((await httpGet(url, '/')).body.trimEnd()),
      'the fortune is still served at /',
    );

    writeFileSync(join(repo as string, 'index.txt'), 'A new revision\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: repo });
    git('commit', '--quiet', '-am', 'New revision');
    await eventually(
      async () => ((await httpGet(url, '/site/')).body === 'A new revision\n' ? true : undefined),
      { what: 'the new commit' },
    );
    assert.equal((await httpGet(url, '/site/.git')).status, 404);
  });
});

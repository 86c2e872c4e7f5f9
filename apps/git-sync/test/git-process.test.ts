import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createOrigin,
  eventually,
  type GitServer,
  git,
  startHttpGitServer,
  startStallingProxy,
  tempDir,
} from '@fortune-sidecar/testing';
import { GitCommandError, runGit } from '../src/git-process.ts';
import { allProcesses, descendantsOf, isRunning, type ProcessEntry } from './helpers/processes.ts';

const base = await tempDir('git-sync-process-');
const never = new AbortController().signal;

describe('running a git command', () => {
  let http: GitServer;
  let repo: string;
  before(async () => {
    http = await startHttpGitServer(base);
    const origin = await createOrigin(base, 'site.git');
    await origin.commit({ 'index.txt': 'hello\n' });
    repo = join(base, 'repo.git');
    await git(base, 'init', '--quiet', '--bare', repo);
  });
  after(() => http.stop());

  it("resolves with git's output", async () => {
    assert.equal(
      await runGit({ args: ['rev-parse', '--is-bare-repository'], cwd: repo, signal: never }),
      'true\n',
    );
  });

  it("fails with git's own message and exit code, which never quote the command's arguments", async () => {
    const url = `http://deploy:s3cret@127.0.0.1:${http.port}/missing.git`;
    const failed = runGit({ args: ['fetch', '--quiet', url, 'main'], cwd: repo, signal: never });
    await assert.rejects(failed, (error: unknown) => {
      assert.ok(error instanceof GitCommandError);
      assert.match(error.message, /^git fetch failed: fatal: /);
      assert.equal(error.exitCode, 128);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  it('keeps an automatic gc in the foreground, in the group that a timeout kills', async () => {
    for (const name of ['gc.autoDetach', 'maintenance.autoDetach']) {
      assert.equal(await runGit({ args: ['config', '--get', name], cwd: repo, signal: never }), 'false\n');
    }
  });

  it('gives settings to this command alone, on its command line: the configuration stays as it was', async () => {
    const config = await readFile(join(repo, 'config'), 'utf8');
    const seen = await runGit({
      args: ['config', '--get', 'http.lowSpeedTime'],
      config: { 'http.lowSpeedTime': '7' },
      cwd: repo,
      signal: never,
    });
    assert.equal(seen, '7\n');
    assert.equal(await readFile(join(repo, 'config'), 'utf8'), config);
  });

  it("passes none of git-sync's GIT_ variables on: they could point git at other repositories or programs", async () => {
    process.env.GIT_DIR = join(base, 'elsewhere.git');
    try {
      assert.equal(await runGit({ args: ['rev-parse', '--git-dir'], cwd: repo, signal: never }), '.\n');
    } finally {
      delete process.env.GIT_DIR;
    }
  });

  it('when aborted, kills git with every helper it started, then rejects with the reason', async () => {
    const stalling = await startStallingProxy(http.port, 100);
    after(() => stalling.stop());
    const abort = new AbortController();
    const fetching = runGit({
      args: ['fetch', '--quiet', `http://127.0.0.1:${stalling.port}/site.git`, 'main'],
      cwd: repo,
      signal: abort.signal,
    });
    const helpers = await eventually(
      async () => {
        const all = await allProcesses();
        const ownGroup = all.find((entry) => entry.pid === process.pid)?.pgid;
        // Not the server's git http-backend, which this process runs in its own group.
        const git = descendantsOf(process.pid, all).filter((entry) => entry.pgid !== ownGroup);
        return git.some((entry) => entry.command === 'git-remote-http') ? git : undefined;
      },
      { what: 'git-remote-http connected to the remote' },
    );
    const reason = new Error('the sync took too long');
    abort.abort(reason);
    await assert.rejects(fetching, reason);

    const running = async (entries: ProcessEntry[]) =>
      (await Promise.all(entries.map(isRunning))).some(Boolean) ? undefined : true;
    await eventually(() => running(helpers), { what: 'git and its helpers ended' });
    await eventually(() => (stalling.connections() === 0 ? true : undefined), {
      what: 'the connection to the remote closed',
    });
  });
});

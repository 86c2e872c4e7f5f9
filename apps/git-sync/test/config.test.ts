import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigErrors, type Env } from '@fortune-sidecar/common';
import { assertDocumentedOutput, runToExit, startService, tempDir } from '@fortune-sidecar/testing';
import { loadConfig, loadConfigAtStart } from '../src/config.ts';

const REPO = 'https://git.example.com/site.git';

/** The messages of the configuration errors, one per wrong variable. */
function errorsOf(env: Env, load: (env: Env) => unknown = loadConfig): string[] {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigErrors, `expected ConfigErrors, got ${error}`);
    return error.errors.map((each) => each.message);
  }
  assert.fail('expected the configuration to be refused');
}

const dir = await tempDir('git-sync-config-');

describe('configuration', () => {
  it('needs only GITSYNC_REPO; everything else has a default', () => {
    const config = loadConfig({ GITSYNC_REPO: REPO });
    assert.deepEqual(
      {
        ref: config.ref,
        periodMs: config.periodMs,
        depth: config.depth,
        root: config.root,
        link: config.link,
        oneTime: config.oneTime,
        maxFailures: config.maxFailures,
        httpPort: config.httpPort,
        syncTimeoutMs: config.syncTimeoutMs,
        stallTimeoutMs: config.stallTimeoutMs,
        staleWorktreeTimeoutMs: config.staleWorktreeTimeoutMs,
        credentials: config.credentials,
        logFormat: config.logFormat,
      },
      {
        ref: 'HEAD',
        periodMs: 10_000,
        depth: 1,
        root: '/git',
        link: 'html',
        oneTime: false,
        maxFailures: 3,
        httpPort: undefined,
        syncTimeoutMs: 120_000,
        stallTimeoutMs: 60_000,
        staleWorktreeTimeoutMs: 10_000,
        credentials: undefined,
        logFormat: 'text',
      },
    );
  });

  it('says that GITSYNC_REPO is required', () => {
    assert.deepEqual(errorsOf({}), [
      'GITSYNC_REPO is required: expected a git URL starting with https://, http://, git:// or ssh://, or user@host:path (file:// and absolute paths only with GITSYNC_ALLOW_LOCAL=true)',
    ]);
  });

  it('names every wrong variable with its value and what it accepts, all at once', () => {
    const errors = errorsOf({
      GITSYNC_REPO: 'ext::sh -c id',
      GITSYNC_PERIOD: 'often',
      GITSYNC_LINK: 'www/html',
      GITSYNC_MAX_FAILURES: '-2',
    });
    assert.equal(errors.length, 4);
    assert.match(errors[0] ?? '', /^GITSYNC_REPO="ext::sh -c id" is not valid \(remote helpers/);
    assert.match(errors[1] ?? '', /^GITSYNC_PERIOD="often" is not valid: expected a duration such as 500ms/);
    assert.match(
      errors[2] ?? '',
      /^GITSYNC_LINK="www\/html" is not valid \(contains "\/"\): expected a plain file name/,
    );
    assert.match(errors[3] ?? '', /^GITSYNC_MAX_FAILURES="-2" is not valid \(out of range\)/);
  });

  // Upstream resolves a relative --root against its working directory (its init_root_flag_is_weird
  // case); a container's working directory is the image's to choose, so a relative root is refused.
  it('refuses a relative GITSYNC_ROOT', () => {
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_ROOT: '../../git/../git' })[0] ?? '',
      /^GITSYNC_ROOT="\.\.\/\.\.\/git\/\.\.\/git" is not valid \(relative\): expected an absolute path/,
    );
  });

  it('refuses a link name starting with "." and refs git would read as an option', () => {
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_LINK: '.gitsync' })[0] ?? '',
      /GITSYNC_LINK.*starts with "\."/,
    );
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_REF: '--upload-pack=x' })[0] ?? '',
      /GITSYNC_REF.*starts with "-"/,
    );
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_REF: 'main..x' })[0] ?? '',
      /GITSYNC_REF.*not a valid git reference/,
    );
  });

  it('takes a local repository only with GITSYNC_ALLOW_LOCAL=true', () => {
    assert.match(
      errorsOf({ GITSYNC_REPO: 'file:///srv/site.git' })[0] ?? '',
      /needs GITSYNC_ALLOW_LOCAL=true/,
    );
    assert.match(errorsOf({ GITSYNC_REPO: '/srv/site.git' })[0] ?? '', /needs GITSYNC_ALLOW_LOCAL=true/);
    assert.equal(
      loadConfig({ GITSYNC_REPO: '/srv/site.git', GITSYNC_ALLOW_LOCAL: 'true' }).repo.kind,
      'local',
    );
  });

  it("keeps the password file's path, and reads no file unless at start", () => {
    const missing = join(dir, 'missing');
    const env = { GITSYNC_REPO: REPO, GITSYNC_USERNAME: 'deploy', GITSYNC_PASSWORD_FILE: missing };
    assert.deepEqual(loadConfig(env).credentials, { username: 'deploy', passwordFile: missing });
    assert.equal(errorsOf(env, loadConfigAtStart).length, 1);
  });

  it('at start, refuses a password file that is missing, unreadable or empty', async () => {
    const missing = join(dir, 'missing');
    const credentials = { GITSYNC_USERNAME: 'deploy', GITSYNC_PASSWORD_FILE: missing };
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, ...credentials }, loadConfigAtStart)[0] ?? '',
      /^GITSYNC_PASSWORD_FILE=".*missing" is not valid \(cannot read it: ENOENT\)/,
    );
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, ...credentials, GITSYNC_PASSWORD_FILE: empty }, loadConfigAtStart)[0] ??
        '',
      /the file is empty/,
    );
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      await writeFile(locked, 'x');
      await chmod(locked, 0);
      assert.match(
        errorsOf(
          { GITSYNC_REPO: REPO, ...credentials, GITSYNC_PASSWORD_FILE: locked },
          loadConfigAtStart,
        )[0] ?? '',
        /EACCES/,
      );
    }
  });

  it('wants a user name and a password file together, and only for http(s) repositories', async () => {
    const file = join(dir, 'password');
    await writeFile(file, 's3cret');
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_USERNAME: 'deploy' })[0] ?? '',
      /^GITSYNC_PASSWORD_FILE is required/,
    );
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GITSYNC_PASSWORD_FILE: file })[0] ?? '',
      /^GITSYNC_USERNAME is required/,
    );
    assert.match(
      errorsOf({
        GITSYNC_REPO: 'git@github.com:x/y.git',
        GITSYNC_USERNAME: 'deploy',
        GITSYNC_PASSWORD_FILE: file,
      })[0] ?? '',
      /only work with http:\/\/ and https:\/\//,
    );
  });
});

describe('git-sync started with bad settings', () => {
  it('as uid 1000, stops at start on a password file only root may read, as a Secret of defaultMode 0400 without fsGroup is', {
    skip: process.getuid?.() !== 0 && 'needs root, to run git-sync as uid 1000',
  }, async () => {
    const volume = join(await tempDir('git-sync-secret-'), 'git-secret');
    await mkdir(volume, { mode: 0o755 });
    await chmod(join(volume, '..'), 0o755);
    const file = join(volume, 'password');
    await writeFile(file, 'demo-password-1\n', { mode: 0o400 });
    const gitSync = startService(
      'git-sync',
      {
        GITSYNC_REPO: 'http://git-server:8080/site.git',
        GITSYNC_ROOT: join(dir, 'root-eacces'),
        GITSYNC_USERNAME: 'fortune',
        GITSYNC_PASSWORD_FILE: file,
        // Were the file not checked at start, the first fetch would fail and end it with 1.
        GITSYNC_ONE_TIME: 'true',
        GITSYNC_MAX_FAILURES: '0',
        LOG_FORMAT: 'text',
      },
      [],
      { uid: 1000, gid: 1000 },
    );
    assert.deepEqual(await gitSync.exited, { code: 2, signal: null });
    const output = gitSync.output.join('\n').replaceAll(volume, '/etc/git-secret');
    assertDocumentedOutput('secret-eacces', output);
  });

  it('exits with 2 and names each wrong variable', async () => {
    const result = await runToExit('git-sync', {
      GITSYNC_REPO: 'ext::sh -c id',
      GITSYNC_PERIOD: '10',
      GITSYNC_LINK: 'a/b',
    });
    assert.equal(result.code, 2);
    assert.match(result.output, /^git-sync: GITSYNC_REPO="ext::sh -c id" is not valid/m);
    assert.match(result.output, /^git-sync: GITSYNC_PERIOD="10" is not valid/m);
    assert.match(result.output, /^git-sync: GITSYNC_LINK="a\/b" is not valid/m);
  });
});

import assert from 'node:assert/strict';
import { chmod, mkdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigErrors, type Env } from '@fortune-sidecar/common';
import {
  assertDocumentedOutput,
  createOrigin,
  runToExit,
  startService,
  tempDir,
} from '@fortune-sidecar/testing';
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

  it('at start, refuses a password file of more than one line, and takes one ending with line breaks', async () => {
    const twoLines = join(dir, 'two-lines');
    await writeFile(twoLines, 'token\nsecond line\n');
    const credentials = { GITSYNC_USERNAME: 'deploy', GITSYNC_PASSWORD_FILE: twoLines };
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, ...credentials }, loadConfigAtStart)[0] ?? '',
      /^GITSYNC_PASSWORD_FILE=".*two-lines" is not valid \(it holds more than one line, and git would send only the first/,
    );
    // kubectl create secret --from-file keeps the file's last newline.
    const fromFile = join(dir, 'from-file');
    await writeFile(fromFile, 'token\r\n');
    assert.deepEqual(
      loadConfigAtStart({ GITSYNC_REPO: REPO, ...credentials, GITSYNC_PASSWORD_FILE: fromFile }).credentials,
      { username: 'deploy', passwordFile: fromFile },
    );
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

describe("upstream's older names", () => {
  const warned = (env: Env): Record<string, unknown>[] =>
    loadConfig(env).warnings.map(({ message, fields }) => ({ message, ...fields }));

  it('reads each under its new name, as upstream v4 does, v3 seconds included, with one warning each', () => {
    const env = {
      GIT_SYNC_REPO: 'git@git.example.com:site.git',
      GIT_SYNC_BRANCH: 'release',
      GIT_SYNC_REV: 'HEAD',
      GIT_SYNC_DEST: 'www',
      GIT_SYNC_WAIT: '0.5',
      GIT_SYNC_TIMEOUT: '30',
      GIT_SYNC_MAX_SYNC_FAILURES: '0',
      GIT_SYNC_ONE_TIME: '1',
      GIT_SSH_KEY_FILE: '/secrets/key',
      GIT_KNOWN_HOSTS: 'False',
      GIT_SYNC_HOOK_COMMAND: '/scripts/reload',
    };
    const config = loadConfig(env);
    assert.deepEqual(
      {
        repo: config.repo.text,
        ref: config.ref,
        link: config.link,
        periodMs: config.periodMs,
        syncTimeoutMs: config.syncTimeoutMs,
        maxFailures: config.maxFailures,
        oneTime: config.oneTime,
        ssh: config.ssh,
        exechookCommand: config.exechookCommand,
      },
      {
        repo: env.GIT_SYNC_REPO,
        ref: 'release',
        link: 'www',
        periodMs: 500,
        syncTimeoutMs: 30_000,
        maxFailures: 0,
        oneTime: true,
        ssh: { keyFile: '/secrets/key', knownHosts: false, knownHostsFile: '/etc/git-secret/known_hosts' },
        exechookCommand: '/scripts/reload',
      },
    );
    const warnings = warned(env);
    assert.equal(warnings.length, Object.keys(env).length, 'one line per older name');
    assert.ok(warnings.every((each) => each.message === 'Reading an older upstream name: rename it'));
    assert.deepEqual(
      warnings.find((each) => each.variable === 'GIT_SYNC_WAIT'),
      {
        message: 'Reading an older upstream name: rename it',
        variable: 'GIT_SYNC_WAIT',
        newName: 'GITSYNC_PERIOD',
        newValue: '500ms',
      },
    );
    assert.equal(warnings.find((each) => each.variable === 'GIT_SYNC_REPO')?.newName, 'GITSYNC_REPO');
  });

  it('takes two names of one setting with one value, and refuses them with two', () => {
    assert.equal(
      loadConfig({
        GITSYNC_REPO: REPO,
        GIT_SYNC_REPO: REPO,
        GIT_KNOWN_HOSTS: 'F',
        GITSYNC_SSH_KNOWN_HOSTS: 'false',
      }).repo.text,
      REPO,
    );
    assert.deepEqual(errorsOf({ GITSYNC_REPO: REPO, GIT_SYNC_REPO: 'https://git.example.com/other.git' }), [
      'GIT_SYNC_REPO="https://git.example.com/other.git" is not valid (GITSYNC_REPO is set too, to another value: upstream takes the older name since v4.4, the new one before): expected one name for one setting: GITSYNC_REPO alone, as upstream v4 names it',
    ]);
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GIT_SYNC_WAIT: '10', GITSYNC_PERIOD: '1m' })[0] ?? '',
      /^GIT_SYNC_WAIT="10" is not valid \(GITSYNC_PERIOD is set too/,
    );
    // Upstream refuses this pair too; GIT_SYNC_REV=HEAD beside a branch is v3's default, and taken.
    assert.match(
      errorsOf({ GITSYNC_REPO: REPO, GIT_SYNC_BRANCH: 'main', GIT_SYNC_REV: 'v1.0' })[0] ?? '',
      /^GIT_SYNC_BRANCH="main" is not valid \(GIT_SYNC_REV is set too/,
    );
  });

  it('names the older variable actually set when its value is wrong, with what it accepts', () => {
    assert.deepEqual(
      errorsOf({ GIT_SYNC_REPO: REPO, GIT_SYNC_WAIT: '10s', GIT_SYNC_TIMEOUT: '0', GIT_SYNC_DEPTH: 'all' }),
      [
        'GIT_SYNC_WAIT="10s" is not valid (not a number of seconds): expected a number of seconds such as 10 or 0.5, as v3 wrote it, within what GITSYNC_PERIOD takes (a duration such as 500ms, 10s, 1m or 1h, from 10ms to 24h)',
        'GIT_SYNC_DEPTH="all" is not valid: expected a whole number from 0 to 1000000',
        'GIT_SYNC_TIMEOUT="0" is not valid (out of range): expected a whole number of seconds such as 120, as v3 wrote it, within what GITSYNC_SYNC_TIMEOUT takes (a duration such as 500ms, 10s, 1m or 1h, from 100ms to 24h)',
      ],
    );
    assert.match(
      errorsOf({ GIT_SYNC_REPO: REPO, GIT_SYNC_USERNAME: 'deploy' })[0] ?? '',
      /^GITSYNC_PASSWORD_FILE is required: expected a password file, since GIT_SYNC_USERNAME is set$/,
    );
  });

  it('reports the older names of settings this git-sync does not have, pointing at the README', () => {
    assert.deepEqual(warned({ GITSYNC_REPO: REPO, GIT_SYNC_GIT_GC: 'off', GIT_COOKIE_FILE: 'true' }), [
      {
        message: 'Ignoring an upstream setting this git-sync does not have',
        variable: 'GIT_COOKIE_FILE',
        upstream: 'GITSYNC_COOKIE_FILE',
        see: 'apps/git-sync/README.md#every-upstream-setting',
      },
      {
        message: 'Ignoring an upstream setting this git-sync does not have',
        variable: 'GIT_SYNC_GIT_GC',
        upstream: 'GITSYNC_GIT_GC',
        see: 'apps/git-sync/README.md#every-upstream-setting',
      },
    ]);
  });
});

describe('settings that have no effect with this repository', () => {
  it('warns of each SSH setting set for a repository that is not reached over ssh', () => {
    const ssh = {
      GITSYNC_SSH_KEY_FILE: '/secrets/key',
      GITSYNC_SSH_KNOWN_HOSTS: 'false',
      GIT_SSH_KNOWN_HOSTS_FILE: '/secrets/known_hosts',
    };
    for (const repo of [REPO, 'git://git.example.com/site.git']) {
      const warnings = loadConfig({ GITSYNC_REPO: repo, ...ssh }).warnings.filter(
        (each) => each.message === 'Ignoring an SSH setting, which only an ssh repository uses',
      );
      assert.deepEqual(
        warnings.map((each) => each.fields.variable),
        ['GITSYNC_SSH_KEY_FILE', 'GITSYNC_SSH_KNOWN_HOSTS', 'GIT_SSH_KNOWN_HOSTS_FILE'],
      );
      assert.match(String(warnings[0]?.fields.why), /^GITSYNC_REPO is not ssh:\/\/ or user@host:path/);
    }
    assert.deepEqual(loadConfig({ GITSYNC_REPO: REPO }).warnings, [], 'not for the defaults');
    assert.deepEqual(loadConfig({ GITSYNC_REPO: 'git@git.example.com:site.git', ...ssh }).warnings.length, 1);
  });
});

describe('git-sync started with a manifest written for upstream', () => {
  it('syncs under the older names alone, and logs one warning for each, before anything else', async () => {
    const origin = await createOrigin(await tempDir('git-sync-older-'));
    const commit = await origin.commit({ 'index.txt': 'v3\n' });
    const root = join(dir, 'root-older-names');
    const result = await runToExit('git-sync', {
      GIT_SYNC_REPO: origin.bare,
      GITSYNC_ALLOW_LOCAL: 'true',
      GIT_SYNC_ROOT: root,
      GIT_SYNC_DEST: 'site',
      GIT_SYNC_ONE_TIME: 'true',
      GIT_SYNC_WAIT: '2',
      GIT_SYNC_GROUP_WRITE: 'true',
      GIT_SSH_KEY_FILE: '/etc/git-secret/ssh',
      GIT_SYNC_SSH: 'true',
    });
    assert.equal(result.code, 0, result.output);
    assert.equal(await readlink(join(root, 'site')), `.gitsync/worktrees/${commit}`);
    const lines = result.output.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const warnings = lines.filter((line) => line.level === 'warn').map((line) => [line.msg, line.variable]);
    const older = 'Reading an older upstream name: rename it';
    assert.deepEqual(warnings, [
      ['Ignoring unknown variables (misspelled?)', undefined],
      [older, 'GIT_SYNC_REPO'],
      [older, 'GIT_SYNC_WAIT'],
      [older, 'GIT_SYNC_ROOT'],
      [older, 'GIT_SYNC_DEST'],
      [older, 'GIT_SYNC_ONE_TIME'],
      [older, 'GIT_SSH_KEY_FILE'],
      ['Ignoring an upstream setting this git-sync does not have', 'GIT_SYNC_GROUP_WRITE'],
      ['Ignoring an SSH setting, which only an ssh repository uses', 'GIT_SSH_KEY_FILE'],
    ]);
    assert.equal(lines[0]?.variables, 'GIT_SYNC_SSH', "v3's GIT_SYNC_SSH, which upstream v4 no longer reads");
    assert.equal(
      lines.findIndex((line) => line.level !== 'warn'),
      warnings.length,
      'warnings first',
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

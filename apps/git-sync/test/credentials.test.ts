import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '@fortune-sidecar/testing';
import { ASKPASS, createFetchCredentials, PasswordFileError } from '../src/credentials.ts';

const REPO = { text: 'https://git.example.com/site.git', kind: 'http' } as const;
const dir = await tempDir('git-sync-credentials-');

describe('the credentials of each sync', () => {
  it('reads the password file at each sync, and keeps every password it read secret', async () => {
    const file = join(dir, 'password');
    await writeFile(file, 'first pass\n');
    const credentials = createFetchCredentials(REPO, { username: 'deploy', passwordFile: file });
    assert.equal(credentials.fetchUrl(), REPO.text, 'no password in the URL');
    await writeFile(file, 'second@pass\n');
    assert.equal(credentials.fetchUrl(), REPO.text);
    for (const secret of ['first pass', 'first%20pass', 'second@pass', 'second%40pass'])
      assert.ok(credentials.secrets().includes(secret), secret);
  });

  it('fails the sync, naming the file, when it is empty or gone; the next read recovers', async () => {
    const file = join(dir, 'rotating');
    await writeFile(file, '');
    const credentials = createFetchCredentials(REPO, { username: 'deploy', passwordFile: file });
    assert.throws(() => credentials.fetchUrl(), {
      name: 'PasswordFileError',
      message: `cannot use the password in GITSYNC_PASSWORD_FILE=${file}: the file is empty`,
    });
    assert.throws(
      () => createFetchCredentials(REPO, { username: 'deploy', passwordFile: join(dir, 'gone') }).fetchUrl(),
      (error) => error instanceof PasswordFileError && error.reason === 'cannot read it: ENOENT',
    );
    await writeFile(file, 'back\n');
    assert.equal(credentials.fetchUrl(), REPO.text);
  });

  it('takes the one line of the file, however it ends, and refuses a second line', async () => {
    const file = join(dir, 'lines');
    const credentials = createFetchCredentials(REPO, { username: 'deploy', passwordFile: file });
    // kubectl create secret --from-file keeps the file's newline; an editor on Windows writes \r\n.
    for (const ending of ['', '\n', '\r\n', '\n\n']) {
      await writeFile(file, `token-${ending.length}${ending}`);
      credentials.fetchUrl();
      assert.ok(credentials.secrets().includes(`token-${ending.length}`), JSON.stringify(ending));
    }
    for (const text of ['token\nsecond\n', '\ntoken\n', 'token\rsecond']) {
      await writeFile(file, text);
      assert.throws(() => credentials.fetchUrl(), {
        name: 'PasswordFileError',
        message: `cannot use the password in GITSYNC_PASSWORD_FILE=${file}: it holds more than one line, and git would send only the first: put the password alone in it`,
      });
    }
  });

  it('without credentials, fetches the URL as given and redacts a password written into it', () => {
    const inline = { text: 'https://deploy:in%20url@git.example.com/site.git', kind: 'http' } as const;
    const credentials = createFetchCredentials(inline, undefined);
    assert.equal(credentials.fetchUrl(), inline.text);
    assert.deepEqual(credentials.secrets(), ['in%20url', 'in url']);
    assert.deepEqual(credentials.transport, {});
  });

  it('hands git the askpass program, the user name and the file, never the password', async () => {
    const file = join(dir, 'askpass');
    await writeFile(file, 'the secret\n');
    const { transport } = createFetchCredentials(REPO, { username: 'deploy', passwordFile: file });
    assert.deepEqual(transport.env, {
      GIT_ASKPASS: ASKPASS,
      GITSYNC_USERNAME: 'deploy',
      GITSYNC_PASSWORD_FILE: file,
    });
    assert.deepEqual(transport.config, { 'credential.helper': '' });
    const ask = (prompt: string) =>
      execFileSync(ASKPASS, [prompt], {
        env: { ...transport.env, PATH: process.env.PATH },
        encoding: 'utf8',
      });
    assert.equal(ask("Username for 'https://git.example.com': "), 'deploy\n');
    assert.equal(ask("Password for 'https://deploy@git.example.com': "), 'the secret\n');
    await writeFile(file, 'rotated\n');
    assert.equal(ask("Password for 'https://deploy@git.example.com': "), 'rotated\n', 'read when asked');
    await writeFile(file, '');
    assert.throws(
      () => ask("Password for 'https://deploy@git.example.com': "),
      'no answer from an empty file',
    );
  });
});

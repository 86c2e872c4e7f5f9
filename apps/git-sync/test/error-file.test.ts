import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger, createRedactor, tempName } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { createErrorFile, MAX_ERROR_CHARS } from '../src/error-file.ts';
import { OWNER } from '../src/publish.ts';

const log = createLogger({ format: 'text', write: () => {} });

describe('GITSYNC_ERROR_FILE', () => {
  it('holds the last failure redacted and bounded, replaced whole, and goes after a success', async () => {
    const dir = join(await tempDir('git-sync-error-file-'), 'missing', 'folder');
    const path = join(dir, 'error.json');
    const file = createErrorFile(path, createRedactor(['s3cret-pw']), log);

    await file.failed('fetch from https://deploy:s3cret-pw@git.example.com failed', 1);
    const first = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(first.Err.includes('s3cret-pw'), false);
    assert.match(first.Err, /^fetch from https:\/\/deploy:.+@git\.example\.com failed$/);
    assert.deepEqual(first.Args, { failCount: 1 });

    await file.failed(`remote said: ${'x'.repeat(10 * MAX_ERROR_CHARS)}`, 2);
    const second = await readFile(path, 'utf8');
    assert.ok(second.length < MAX_ERROR_CHARS + 200, `${second.length} characters`);
    assert.deepEqual(JSON.parse(second).Args, { failCount: 2 });
    assert.deepEqual(await readdir(dir), ['error.json']);
    assert.equal((await stat(path)).mode & 0o777, 0o644);

    await file.synced();
    assert.deepEqual(await readdir(dir), []);
    await file.synced();
  });

  it('removes at start the temporary copies a crash left, and nothing else in a shared folder', async () => {
    const dir = join(await tempDir('git-sync-error-file-'), 'shared');
    const path = join(dir, 'error.json');
    const file = createErrorFile(path, createRedactor([]), log);
    await file.recover(); // The folder does not exist yet.
    await mkdir(dir);
    const left = tempName(OWNER, 'error.json');
    const others = [
      tempName(OWNER, 'other.json'),
      tempName('fortune-writer', 'error.json'),
      'error.json.tmp',
    ];
    for (const name of [left, ...others]) await writeFile(join(dir, name), 'x');

    await file.recover();
    assert.deepEqual((await readdir(dir)).sort(), [...others].sort());
  });
});

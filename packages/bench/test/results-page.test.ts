import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BusyMachineError } from '../src/quiet-machine.ts';
import { writeResults } from '../src/results-page.ts';

const PAGE = '# Benchmarks\n\nHow.\n\n<!-- results:start -->\nold figures\n<!-- results:end -->\n\nAfter.\n';

describe('the results page', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'results-page-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("puts a quiet run's report between the markers and keeps the rest of the page", async () => {
    const path = join(dir, 'quiet.md');
    await writeFile(path, PAGE);
    await writeResults(path, 'new figures, $1 and $& as written\n', []);
    assert.equal(
      await readFile(path, 'utf8'),
      '# Benchmarks\n\nHow.\n\n<!-- results:start -->\nnew figures, $1 and $& as written\n<!-- results:end -->\n\nAfter.\n',
    );
  });

  it('leaves the page as it was after a busy run, and says why', async () => {
    const path = join(dir, 'busy.md');
    await writeFile(path, PAGE);
    await assert.rejects(
      writeResults(path, 'busy figures\n', ['the 1-minute load average was 2.91 on 2 cores']),
      (error) => error instanceof BusyMachineError && /load average was 2\.91/.test(error.message),
    );
    assert.equal(await readFile(path, 'utf8'), PAGE);
  });
});

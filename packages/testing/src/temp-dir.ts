import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
// At exit rather than in an after() hook: hooks run in the order they were registered, so a
// folder made before a service started would be removed while that service still writes to it.
process.on('exit', () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      console.error(`Could not remove ${dir}: ${(error as Error).message}`);
    }
  }
});

/** A fresh folder under the system's temp folder, removed when the test file's process ends. */
export async function tempDir(prefix = 'fortune-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

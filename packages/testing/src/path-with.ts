import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { command } from './containers.ts';
import { tempDir } from './temp-dir.ts';

/** A PATH with only the commands named: what a machine without the others looks like. */
export async function pathWithOnly(...commands: string[]): Promise<string> {
  const dir = await tempDir('fortune-path-');
  for (const name of commands) {
    const found = await command('sh', ['-c', `command -v ${name}`]);
    if (found.code === 0) await symlink(found.stdout.trim(), join(dir, name));
  }
  return dir;
}

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runGit } from './git-process.ts';

/**
 * Checks out into a worktree that `git worktree add --no-checkout` left empty only the paths the
 * patterns file matches. The patterns are git's non-cone ones (gitignore syntax, as upstream's
 * `git sparse-checkout init` reads them), and the file is read again for each new worktree, as
 * upstream does, so an edited ConfigMap applies from the next commit on.
 *
 * The sparse settings are given with `-c` to the one command that checks out: git-sync never
 * writes to git's configuration. What they leave is in the worktree's index (skip-worktree
 * bits), which `git status` honours without them, so the worktree check sees a clean checkout.
 */
export function sparseCheckout(patternsFile: string) {
  return async (dir: string, commit: string, signal: AbortSignal): Promise<void> => {
    const patterns = await readFile(patternsFile);
    const git = (args: [string, ...string[]], config?: Record<string, string>) =>
      runGit({ args, config, cwd: dir, signal });
    const path = (
      await git(['rev-parse', '--path-format=absolute', '--git-path', 'info/sparse-checkout'])
    ).trim();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, patterns);
    await git(['reset', '--quiet', '--hard', commit, '--'], {
      'core.sparseCheckout': 'true',
      'core.sparseCheckoutCone': 'false',
    });
  };
}

import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.test',
};

/** Runs the git CLI in `cwd` and returns its output, trimmed. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, ...AUTHOR } });
  return stdout.trim();
}

/**
 * A bare repository `<base>/<name>` (what the servers serve) and a working clone beside it
 * that commits and pushes to it, as a developer would.
 */
export interface Origin {
  readonly bare: string;
  /** Writes the files, commits them and pushes the branch (main by default); returns the commit. */
  commit(
    files: Readonly<Record<string, string>>,
    options?: { branch?: string; message?: string },
  ): Promise<string>;
  /** Drops the last commit and pushes a new one in its place with --force; returns the new commit. */
  rewrite(files: Readonly<Record<string, string>>): Promise<string>;
  /** Tags the current commit (annotated when asked) and pushes the tag. */
  tag(name: string, options?: { annotated?: boolean }): Promise<void>;
  deleteBranch(name: string): Promise<void>;
  /** Runs git in the working clone. */
  git(...args: string[]): Promise<string>;
}

export async function createOrigin(base: string, name = 'repo.git'): Promise<Origin> {
  const bare = join(base, name);
  const work = join(base, `${name}-work`);
  await git(base, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  await git(base, 'init', '--quiet', '--initial-branch=main', work);
  await git(work, 'remote', 'add', 'origin', bare);

  const inWork = (...args: string[]) => git(work, ...args);
  const write = async (files: Readonly<Record<string, string>>) => {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await inWork('add', '--all');
  };
  let counter = 0;
  const commitHere = async (message?: string) => {
    counter += 1;
    await inWork('commit', '--quiet', '--allow-empty', '-m', message ?? `commit ${counter}`);
    return inWork('rev-parse', 'HEAD');
  };

  return {
    bare,
    async commit(files, options = {}) {
      const branch = options.branch ?? 'main';
      const current = await inWork('branch', '--show-current');
      if (current !== branch) {
        const exists = (await inWork('branch', '--list', branch)) !== '';
        await inWork('checkout', '--quiet', ...(exists ? [branch] : ['-b', branch]));
      }
      await write(files);
      const commit = await commitHere(options.message);
      await inWork('push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
      return commit;
    },
    async rewrite(files) {
      const branch = await inWork('branch', '--show-current');
      await inWork('reset', '--quiet', '--hard', 'HEAD~1');
      await write(files);
      const commit = await commitHere('rewritten');
      await inWork('push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
      return commit;
    },
    async tag(tagName, options = {}) {
      await inWork('tag', ...(options.annotated ? ['-a', '-m', `release ${tagName}`] : []), tagName);
      await inWork('push', '--quiet', 'origin', `refs/tags/${tagName}`);
    },
    async deleteBranch(branch) {
      await inWork('push', '--quiet', 'origin', '--delete', branch);
    },
    git: inWork,
  };
}

import { oneOf, type Setting } from '@fortune-sidecar/common';
import type { GitTransport } from './git.ts';
import { runGit } from './git-process.ts';

/** Upstream's --submodules: every level, the first level only, or none. */
const SUBMODULES_MODES = ['recursive', 'shallow', 'off'] as const;
export type SubmodulesMode = (typeof SUBMODULES_MODES)[number];

export const submodulesMode: Setting<SubmodulesMode> = oneOf(SUBMODULES_MODES);

export interface SubmoduleOptions {
  readonly mode: SubmodulesMode;
  /** GITSYNC_DEPTH: upstream fetches submodules with the same depth as the repository, 0 meaning all. */
  readonly depth: number;
  /** How git reaches the submodules' servers (SSH settings, as upstream uses its keys for them too). */
  readonly transport?: GitTransport;
  /**
   * GITSYNC_REPO, which a relative URL in .gitmodules (`../lib.git`) is resolved against. git
   * resolves one against the `origin` remote, which upstream configures and git-sync does not.
   */
  readonly repo?: string;
}

/**
 * Checks a worktree's submodules out from their own URLs, as upstream's `git submodule update
 * --init` after each checkout. `git submodule sync` first: `init` records each URL in the
 * repository's configuration once, so without it a URL changed in .gitmodules by a later commit
 * would never be used.
 */
export function updateSubmodules(options: SubmoduleOptions) {
  const recursive = options.mode === 'recursive' ? ['--recursive'] : [];
  const transport = options.transport ?? {};
  const origin =
    options.repo === undefined ? undefined : { 'remote.origin.url': withoutPassword(options.repo) };
  return async (dir: string, signal: AbortSignal): Promise<void> => {
    if (options.mode === 'off') return;
    const git = (args: [string, ...string[]], config?: Record<string, string>) =>
      runGit({ args, config: { ...transport.config, ...config }, env: transport.env, cwd: dir, signal });
    await git(['submodule', 'sync', '--quiet', ...recursive]);
    // Then the first level's URLs are recorded again, resolved against `origin` given on the
    // command line only: git hands `-c` settings down to the commands it runs in submodules, where
    // `origin` must stay their own, for relative URLs of theirs. `update --init` keeps URLs recorded.
    if (origin !== undefined) {
      await git(['submodule', 'init', '--quiet'], origin);
      await git(['submodule', 'sync', '--quiet'], origin);
    }
    const depth = options.depth > 0 ? ['--depth', String(options.depth)] : [];
    await git(['submodule', 'update', '--quiet', '--init', ...recursive, ...depth]);
  };
}

/**
 * A password written into GITSYNC_REPO stays off the submodules' URLs, which git records in the
 * repository's configuration: as the password file's, it is not offered to submodules.
 */
function withoutPassword(repo: string): string {
  if (!URL.canParse(repo)) return repo; // user@host:path
  const url = new URL(repo);
  if (url.password === '') return repo;
  url.password = '';
  return url.href;
}

/**
 * Whether every submodule the mode checks out is checked out at the commit its parent records:
 * `git status` says nothing of a submodule never initialized, whose folder is simply empty.
 */
export async function submodulesCheckedOut(
  dir: string,
  mode: SubmodulesMode,
  signal: AbortSignal,
): Promise<boolean> {
  if (mode === 'off') return true;
  const args: [string, ...string[]] = ['--no-optional-locks', 'submodule', 'status'];
  if (mode === 'recursive') args.push('--recursive');
  const status = await runGit({ args, cwd: dir, signal });
  // A leading "-": not initialized; "+": another commit; "U": conflicts.
  return status.split('\n').every((line) => line === '' || line.startsWith(' '));
}

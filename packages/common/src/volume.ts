/**
 * The shared-volume contract in typed form. docs/volume-contract.md explains it; the writer,
 * the web server, git-sync and the manifests all follow it.
 */
import { randomBytes } from 'node:crypto';

/** Files fortune-writer keeps in its folder (FORTUNE_DIR). Each is replaced whole, by rename. */
export const FORTUNE_FILES = {
  /** The page for browsers. */
  page: 'index.html',
  /** The fortune alone, as plain text, for curl. */
  text: 'index.txt',
  /** Recent fortunes, newest first: what lets a persistent volume show that it kept its data. */
  history: 'history.json',
} as const;

export interface Fortune {
  readonly text: string;
  /** ISO 8601, UTC. */
  readonly writtenAt: string;
  /** Host name of the writer: the pod name in Kubernetes. */
  readonly host: string;
  /** Node the writer ran on, when Kubernetes passes it in (downward API). */
  readonly node?: string;
}

export const HISTORY_FORMAT = 1;

export interface FortuneHistory {
  readonly format: typeof HISTORY_FORMAT;
  /** Newest first. */
  readonly fortunes: readonly Fortune[];
}

/** Directory indexes the web server looks for: plain text for curl, HTML for browsers. */
export const INDEX_FILES = { text: FORTUNE_FILES.text, html: FORTUNE_FILES.page } as const;

/**
 * git-sync's layout under GITSYNC_ROOT. Everything but the link lives in one dot folder, which
 * the web server never serves; the link (GITSYNC_LINK) is a relative symlink into `worktrees`.
 */
export const GIT_SYNC_LAYOUT = {
  state: '.gitsync',
  repo: '.gitsync/repo.git',
  worktrees: '.gitsync/worktrees',
} as const;

/**
 * Names of files being written: dotfiles, so they are never served, named after their owner
 * (`fortune-writer`, `git-sync`), so that each service cleans up only its own after a crash.
 */
export function tempName(owner: string, finalName: string): string {
  return `.${owner}-${finalName}-${randomBytes(6).toString('hex')}.tmp`;
}

export function isTempOf(owner: string, name: string): boolean {
  return name.startsWith(`.${owner}-`) && name.endsWith('.tmp');
}

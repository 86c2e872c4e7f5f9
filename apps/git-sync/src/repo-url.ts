import type { Setting } from '@fortune-sidecar/common';

/** How git reaches the repository; `local` (file:// or a path) is refused unless GITSYNC_ALLOW_LOCAL=true. */
export type RepoKind = 'http' | 'git' | 'ssh' | 'local';

export interface RepoUrl {
  /** As the user wrote it: what git is given. */
  readonly text: string;
  readonly kind: RepoKind;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const SCHEMES: Readonly<Record<string, RepoKind>> = {
  'https:': 'http',
  'http:': 'http',
  'git:': 'git',
  'ssh:': 'ssh',
  'file:': 'local',
};

// `<transport>::<address>` hands the address to a remote helper: `ext::` runs any command.
const REMOTE_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// git's own rule for scp-like addresses: a colon before any slash, `[user@]host:path`.
const SCP_LIKE = /^(?:[^@/\s]+@)?(?:\[[^\]/\s]+\]|[^:/\s]+):[^\s]+$/;

export const repoUrl: Setting<RepoUrl> = {
  accepted:
    'a git URL starting with https://, http://, git:// or ssh://, or user@host:path ' +
    '(file:// and absolute paths only with GITSYNC_ALLOW_LOCAL=true)',
  parse(text) {
    if (REMOTE_HELPER.test(text)) throw new Error('remote helpers such as ext:: can run commands');
    if (SCHEME.test(text)) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new Error('not a URL');
      }
      const kind = SCHEMES[url.protocol];
      if (!kind) throw new Error(`the scheme ${url.protocol}// is not supported`);
      if (kind !== 'local' && url.hostname === '') throw new Error('no host');
      return { text, kind };
    }
    if (text.startsWith('/')) return { text, kind: 'local' };
    if (SCP_LIKE.test(text) && !text.startsWith('-')) return { text, kind: 'ssh' };
    throw new Error('neither a URL, user@host:path nor an absolute path');
  },
};

/** A password as a URL would hold it, percent-encoded: a form in which a message may print it. */
function inUserinfo(text: string): string {
  return encodeURIComponent(text);
}

/** The repository as logs show it: a password written into the URL itself becomes `***`. */
export function displayUrl(repo: RepoUrl): string {
  if (repo.kind !== 'http') return repo.text;
  const url = new URL(repo.text);
  if (url.password === '') return repo.text;
  url.password = '***';
  return url.href;
}

/**
 * Every form in which a password may show up in a line of text: as given, and percent-encoded
 * as it is inside a URL. The logger and the health endpoint replace each of them by `***`.
 */
export function secretsOf(repo: RepoUrl, credentials: Credentials | undefined): string[] {
  const passwords: string[] = [];
  if (credentials) passwords.push(credentials.password, inUserinfo(credentials.password));
  if (repo.kind === 'http') {
    const inUrl = new URL(repo.text).password;
    if (inUrl !== '') passwords.push(inUrl, decodePercent(inUrl));
  }
  return [...new Set(passwords)];
}

function decodePercent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A stray `%` that is not an escape: git takes it literally, and so must the redaction.
    return text;
  }
}

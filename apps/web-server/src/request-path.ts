import { HEALTH_PATHS, METRICS_PATH } from '@fortune-sidecar/common';

/** What a request path asks for, after decoding: the folder-relative segments, or why it is refused. */
export type RequestPath =
  | { readonly kind: 'path'; readonly segments: readonly string[]; readonly directory: boolean }
  | { readonly kind: 'bad-request' }
  | { readonly kind: 'not-found' };

/** A name the server never serves, nor anything below it: `.git`, `.env`, `..`, `.gitsync`. */
export function isHidden(segment: string): boolean {
  return segment.startsWith('.');
}

/**
 * Names at the root that the server answers itself. The site never serves them under any
 * spelling: `/%68ealthz` would otherwise reach a file named `healthz`, which the cache would
 * then keep under the very key the fast path looks up for `/healthz`, and the kubelet's probes
 * and Prometheus would get the file instead of the answer they ask for.
 */
const RESERVED = new Set([HEALTH_PATHS.alive, HEALTH_PATHS.ready, METRICS_PATH].map((path) => path.slice(1)));

/** RFC 8615's folder, where a site publishes `security.txt` and the like for anyone to read. */
export const WELL_KNOWN = '.well-known';

/**
 * Whether no path may go through `segment`, at `depth` below the served folder (0 for a name in
 * it). Only the root's `.well-known` is public: clients look for it there and nowhere else, and
 * a hidden name anywhere else, or inside it, stays private to whoever wrote it.
 */
export function isPrivate(segment: string, depth: number): boolean {
  return isHidden(segment) && !(depth === 0 && segment === WELL_KNOWN);
}

/**
 * Splits a URL path into segments and refuses anything that could reach outside the served
 * folder or into hidden files: dot segments (`..`, `.git`, `.env`, and git-sync's `.gitsync`;
 * `/.well-known/` is the one exception), encoded slashes or backslashes, and NUL bytes.
 * Splitting happens before decoding, so `%2f` and `%2e%2e` cannot make new separators or
 * parent references.
 */
export function parseRequestPath(pathname: string): RequestPath {
  if (!pathname.startsWith('/')) return { kind: 'bad-request' };
  const raw = pathname.split('/').filter((segment) => segment !== '');
  const segments: string[] = [];
  for (const encoded of raw) {
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return { kind: 'bad-request' };
    }
    if (segment.includes('\0')) return { kind: 'bad-request' };
    if (isPrivate(segment, segments.length) || segment.includes('/') || segment.includes('\\'))
      return { kind: 'not-found' };
    if (segments.length === 0 && RESERVED.has(segment)) return { kind: 'not-found' };
    segments.push(segment);
  }
  return { kind: 'path', segments, directory: pathname.endsWith('/') };
}

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
 * Splits a URL path into segments and refuses anything that could reach outside the served
 * folder or into hidden files: dot segments (`..`, `.git`, `.env`, and git-sync's `.gitsync`),
 * encoded slashes or backslashes, and NUL bytes. Splitting happens before decoding, so `%2f`
 * and `%2e%2e` cannot make new separators or parent references.
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
    if (isHidden(segment) || segment.includes('/') || segment.includes('\\')) return { kind: 'not-found' };
    segments.push(segment);
  }
  return { kind: 'path', segments, directory: pathname.endsWith('/') };
}

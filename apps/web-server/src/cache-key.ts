import { parseRequestPath } from './request-path.ts';

/**
 * The key of a request path in the response cache: the path as the folder sees it, so that
 * every spelling of one file (`//index.txt`, `/%69ndex.txt`, ...) shares one entry. A path
 * without `%` or `//` already is that form, which is what clients send: only other spellings
 * pay for decoding. Only a folder's answer depends on who asks (index.txt for curl, index.html
 * for browsers), so only a folder's key says which. Paths refused before the disk have no key.
 */
export function cacheKey(pathname: string, wantsHtml: boolean): string | undefined {
  let path = pathname;
  if (pathname.includes('%') || pathname.includes('//')) {
    const parsed = parseRequestPath(pathname);
    if (parsed.kind !== 'path') return undefined;
    const joined = `/${parsed.segments.join('/')}`;
    path = parsed.directory && parsed.segments.length > 0 ? `${joined}/` : joined;
  }
  // A decoded segment never holds NUL (refused as a bad request): the mark cannot collide.
  return wantsHtml && path.endsWith('/') ? `${path}\0` : path;
}

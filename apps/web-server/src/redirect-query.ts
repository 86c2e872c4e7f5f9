import type { Resource } from './lookup.ts';

type Redirect = Extract<Resource, { kind: 'redirect' }>;

// What RFC 3986 lets a query hold as it is (pchar, "/" and "?"), "%" with it so that the
// client's own escapes pass unchanged. Node.js's parser lets only printable ASCII into a request
// target, so nothing here can be a CR or LF; `"`, `<`, `\` and the like it does let through.
const NOT_IN_A_QUERY = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g;

const escapeByte = (char: string) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * A folder's redirect for one request, carrying its query on as nginx does: `/docs?x=1` goes to
 * `/docs/?x=1`. The location itself comes from the path's decoded segments, each encoded again,
 * so it is always a path on this server (never `//host` or a scheme); the query is copied from
 * the raw target after its first `?` (up to a `#`), never decoded, and only what a query may
 * not hold is escaped, which leaves one valid URL in one valid header. The cache keeps the
 * redirect without a query: each request adds its own.
 */
export function withQuery(redirect: Redirect, target: string): Redirect {
  // A raw `#` ends the query for express as for browsers: what follows names no resource.
  const fragment = target.indexOf('#');
  const sent = fragment === -1 ? target : target.slice(0, fragment);
  const at = sent.indexOf('?');
  if (at === -1 || at === sent.length - 1) return redirect;
  const query = sent.slice(at + 1).replace(NOT_IN_A_QUERY, escapeByte);
  return { kind: 'redirect', location: `${redirect.location}?${query}` };
}

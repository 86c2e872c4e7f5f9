import type { IncomingHttpHeaders } from 'node:http';
import { parseHttpDate } from './http-date.ts';

export type Precondition = 'proceed' | 'not-modified' | 'precondition-failed';

/** What a stored representation is identified by: its ETag and Last-Modified, as sent. */
export interface Validators {
  readonly etag: string;
  readonly lastModified: string;
}

const isWeak = (tag: string) => tag.startsWith('W/');

// The members of an entity-tag list. Splitting at commas is not the grammar (a comma may sit
// inside the quotes), but no ETag this server makes has one, so no split tag can equal it.
const members = (list: string) => list.split(',').map((tag) => tag.trim());

/** RFC 9110 §8.8.3.2: equal, and neither weak. */
function strongMatch(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  return !isWeak(etag) && members(list).some((tag) => tag === etag);
}

/** RFC 9110 §8.8.3.2: equal once `W/` is set aside. */
function weakMatch(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  const opaque = isWeak(etag) ? etag.slice(2) : etag;
  return members(list).some((tag) => (isWeak(tag) ? tag.slice(2) : tag) === opaque);
}

/** The date a conditional header gives, ignored (undefined) unless it is an HTTP-date (§13.1.3). */
function dateOf(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseHttpDate(value);
}

/**
 * The outcome of a GET or HEAD's conditional headers, in the order of RFC 9110 §13.2.2:
 * If-Match, else If-Unmodified-Since (412 when false); then If-None-Match, else
 * If-Modified-Since (304 when false). A request without any of them costs four property reads.
 */
export function evaluatePreconditions(headers: IncomingHttpHeaders, resource: Validators): Precondition {
  const ifMatch = headers['if-match'];
  const ifUnmodifiedSince = headers['if-unmodified-since'];
  const ifNoneMatch = headers['if-none-match'];
  const ifModifiedSince = headers['if-modified-since'];
  if (
    ifMatch === undefined &&
    ifUnmodifiedSince === undefined &&
    ifNoneMatch === undefined &&
    ifModifiedSince === undefined
  ) {
    return 'proceed';
  }
  if (ifMatch !== undefined) {
    if (!strongMatch(ifMatch, resource.etag)) return 'precondition-failed';
  } else {
    const since = dateOf(ifUnmodifiedSince);
    if (since !== undefined && (parseHttpDate(resource.lastModified) ?? 0) > since) {
      return 'precondition-failed';
    }
  }
  if (ifNoneMatch !== undefined) {
    return weakMatch(ifNoneMatch, resource.etag) ? 'not-modified' : 'proceed';
  }
  const since = dateOf(ifModifiedSince);
  if (since !== undefined && (parseHttpDate(resource.lastModified) ?? Number.POSITIVE_INFINITY) <= since) {
    return 'not-modified';
  }
  return 'proceed';
}

/**
 * Whether a Range request's If-Range still names this representation (RFC 9110 §13.1.5): its
 * ETag, compared strongly (a weak one never matches), or its Last-Modified date exactly. Anything
 * else, an unparseable value included, means the client's copy is another: it gets the whole file.
 */
export function ifRangeMatches(ifRange: string, resource: Validators): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || isWeak(value))
    return !isWeak(value) && !isWeak(resource.etag) && value === resource.etag;
  const date = parseHttpDate(value);
  return date !== undefined && date === parseHttpDate(resource.lastModified);
}

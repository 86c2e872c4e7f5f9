import { cacheKey } from './cache-key.ts';
import {
  type Compressor,
  compressWithZlib,
  createEncoder,
  needsEncoding,
  withEncodings,
} from './compression.ts';
import { lookup, type Resource } from './lookup.ts';
import { parseRequestPath } from './request-path.ts';
import { costOf, createResponseCache } from './response-cache.ts';

export interface SiteOptions {
  /** Files larger than this are streamed from disk and never kept in memory. */
  readonly maxBodyBytes?: number;
  /** Memory the cache may use in all: bodies, and a fixed estimate for each entry's overhead. */
  readonly maxCachedBytes?: number;
  /** How many answers the cache may hold, whatever their size. */
  readonly maxCachedEntries?: number;
  /**
   * How long a cached answer is trusted without a file event. Events come from inotify, which
   * sees nothing on network volumes (NFS claims) or changes made from another node, and a
   * watcher may fold a quick second change into the first, so every answer is checked again on
   * disk at least this often (default 100 ms: at most ten reads a second per file served).
   */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
  /** How text files are compressed (zlib's br and gzip); tests count the calls. */
  readonly compress?: Compressor;
}

export interface Site {
  /** What a URL path (still percent-encoded) names, as a browser (`wantsHtml`) or as curl asks. */
  find(pathname: string, wantsHtml: boolean): Promise<Resource>;
  /**
   * find()'s answer when it is in memory, without waiting: the fast path. An answer past
   * maxAge is still returned while one lookup in the background checks the disk.
   */
  peek(pathname: string, wantsHtml: boolean): Resource | undefined;
  /** Forgets every cached answer: called on every change the watcher sees in the folder. */
  invalidate(): void;
  /** Plain counts, read by the metrics when scraped: counting costs the request path an addition. */
  readonly counts: CacheCounts;
}

export interface CacheCounts {
  /** Answers taken from the cache without waiting for the disk. */
  hits: number;
  /** Answers that waited for a lookup on disk: not cached, past maxAge, or a path with no cache key. */
  misses: number;
}

const MISSING_ON_ERROR: Resource = { kind: 'missing' };

function sameFile(cached: Resource | undefined, found: Resource): Resource | undefined {
  if (cached?.kind !== 'file' || found.kind !== 'file') return undefined;
  const same =
    cached.etag === found.etag &&
    cached.lastModified === found.lastModified &&
    cached.contentType === found.contentType &&
    cached.negotiated === found.negotiated;
  return same ? cached : undefined;
}

/**
 * The served folder with a cache of whole answers in front of it, so the common request (the
 * same small page, again and again) costs no system call. Answers are kept by the path the
 * folder sees, however the client spelled it, within a memory budget and an entry cap; only
 * files and redirects are kept, never a 404, so requests for paths that do not exist cost no
 * memory. Any change in the folder drops the whole cache; a lookup that started before a
 * change is not stored after it, so a slow read can never put an old answer back.
 */
export function createSite(root: string, options: SiteOptions = {}): Site {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxAgeMs = options.maxAgeMs ?? 100;
  const now = options.now ?? Date.now;
  const maxCachedBytes = options.maxCachedBytes ?? 16 * 1024 * 1024;
  const cache = createResponseCache({
    maxBytes: maxCachedBytes,
    maxEntries: options.maxCachedEntries ?? 4096,
  });
  const encoder = createEncoder(options.compress ?? compressWithZlib);
  let generation = 0;
  // One disk lookup per key at a time: when an entry expires under load, the requests that
  // arrive meanwhile wait for that lookup instead of each starting their own.
  const pending = new Map<string, Promise<Resource>>();
  const counts: CacheCounts = { hits: 0, misses: 0 };

  async function load(key: string, pathname: string, wantsHtml: boolean): Promise<Resource> {
    const startedIn = generation;
    const at = now();
    const found = await lookup(root, parseRequestPath(pathname), wantsHtml, maxBodyBytes);
    const cached = cache.get(key)?.resource;
    // Out of descriptors, the disk cannot say whether the file changed: the copy in memory is
    // still the best answer, and needs no descriptor. It is checked again after maxAge.
    if (found.kind === 'unavailable' && cached) return cached;
    // The check after maxAge mostly finds the same file: keep handing out the same answer, whose
    // response headers are already built, rather than a copy of it ten times a second.
    let resource = sameFile(cached, found) ?? found;
    if (needsEncoding(resource)) {
      const known = encoder.known(resource);
      if (known) resource = withEncodings(resource, known);
      else encodeLater(key, resource, startedIn);
    }
    if (startedIn === generation) {
      if (resource.kind === 'file' || resource.kind === 'redirect') cache.set(key, resource, at);
      else cache.delete(key);
    }
    return resource;
  }

  /**
   * Compresses a text file once per version, off the request path. Until that is done the file
   * is answered as it is, which is always a right answer: making the first clients wait would
   * cost them more than the bytes saved. The compressed forms join the cached answer only if
   * it is still the one cached, and only if the budget has room for both, or storing them
   * would push the file itself out and have it read and compressed again.
   */
  function encodeLater(key: string, resource: Extract<Resource, { kind: 'file' }>, startedIn: number) {
    encoder.encode(resource).then(
      (encodings) => {
        const hit = cache.get(key);
        if (startedIn !== generation || hit?.resource !== resource) return;
        const encoded = withEncodings(resource, encodings);
        if (costOf(key, encoded) <= maxCachedBytes) cache.set(key, encoded, hit.at);
      },
      () => {},
    );
  }

  return {
    peek(pathname, wantsHtml) {
      const key = cacheKey(pathname, wantsHtml);
      if (key === undefined) return undefined;
      const hit = cache.get(key);
      if (!hit) return undefined;
      // Past maxAge, the copy is still served while one lookup checks the disk: under load,
      // requests never queue behind that lookup. A change the watcher saw has already removed it.
      if (now() - hit.at >= maxAgeMs && !pending.has(key)) {
        const refreshing = load(key, pathname, wantsHtml)
          .catch(() => MISSING_ON_ERROR)
          .finally(() => pending.delete(key));
        pending.set(key, refreshing);
      }
      // Only a file is answered by the fast path; anything else goes on to find(), which counts it.
      if (hit.resource.kind === 'file') counts.hits += 1;
      return hit.resource;
    },
    find(pathname, wantsHtml) {
      const key = cacheKey(pathname, wantsHtml);
      // Refused before the disk (a dot segment, a malformed escape): nothing to keep or share.
      if (key === undefined) {
        counts.misses += 1;
        return lookup(root, parseRequestPath(pathname), wantsHtml, maxBodyBytes);
      }
      const hit = cache.get(key);
      if (hit && now() - hit.at < maxAgeMs) {
        counts.hits += 1;
        return Promise.resolve(hit.resource);
      }
      counts.misses += 1;
      let lookingUp = pending.get(key);
      if (!lookingUp) {
        lookingUp = load(key, pathname, wantsHtml).finally(() => pending.delete(key));
        pending.set(key, lookingUp);
      }
      return lookingUp;
    },
    invalidate() {
      generation += 1;
      cache.clear();
    },
    counts,
  };
}

import { encodedBytes } from './compression.ts';
import type { Resource } from './lookup.ts';

/**
 * What one entry costs besides its body: the answer object, its dates and ETag, the response
 * headers built for it, its key and its slot in the map. Measured at about 1.5 KB of heap for
 * a small file; counted as 2 KB, so that a million tiny files cannot pass for a few megabytes.
 */
export const ENTRY_OVERHEAD_BYTES = 2048;

export interface CacheLimits {
  /** Memory all entries may use, bodies and overhead together. */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

export interface CachedAnswer {
  readonly resource: Resource;
  /** When the answer was read from disk. */
  readonly at: number;
  readonly bytes: number;
}

export interface ResponseCache {
  get(key: string): CachedAnswer | undefined;
  /** Stores an answer, evicting the oldest entries to make room; one larger than the whole budget is not kept. */
  set(key: string, resource: Resource, at: number): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
  readonly bytes: number;
}

/** What an entry counts against the budget: its body, any compressed forms kept with it, and the overhead. */
export function costOf(key: string, resource: Resource): number {
  const extra =
    resource.kind === 'file'
      ? resource.body.length
      : resource.kind === 'redirect'
        ? resource.location.length
        : 0;
  return ENTRY_OVERHEAD_BYTES + key.length + extra + encodedBytes(resource);
}

/**
 * Whole answers by key, within a byte budget and an entry cap. The oldest entry goes first:
 * an answer in use is read again from disk every maxAge and stored anew, so the entries that
 * go are those nobody asked for lately.
 */
export function createResponseCache({ maxBytes, maxEntries }: CacheLimits): ResponseCache {
  let entries = new Map<string, CachedAnswer>();
  let bytes = 0;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  };

  return {
    get: (key) => entries.get(key),
    set(key, resource, at) {
      remove(key);
      const cost = costOf(key, resource);
      if (cost > maxBytes || maxEntries < 1) return;
      for (const oldest of entries.keys()) {
        if (entries.size < maxEntries && bytes + cost <= maxBytes) break;
        remove(oldest);
      }
      entries.set(key, { resource, at, bytes: cost });
      bytes += cost;
    },
    delete: remove,
    clear() {
      entries = new Map();
      bytes = 0;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

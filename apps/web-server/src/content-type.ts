import { extname } from 'node:path';
import { contentType } from 'mime-types';

const BYTES = 'application/octet-stream';

/**
 * Where the served type differs from what mime-types says, kept as this server always served
 * them: `.xml` with its charset, and `.ico` under the name browsers and servers have long used.
 */
const KEPT: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.ico': 'image/x-icon',
};

/** JSON is UTF-8 by definition; mime-db names the charset for some `+json` types only. */
const JSON_SUFFIX = /^application\/[^;]+\+json$/;

/**
 * The Content-Type for a served file, by its extension (mime-db through mime-types): textual
 * types carry `; charset=utf-8`, unknown kinds are offered as bytes. Called once per file
 * version: the answer is kept with the file in the cache.
 */
export function contentTypeOf(path: string): string {
  // Only a real extension counts: a file named `txt` or `.txt` has none (mime-types alone
  // would take the whole name for one).
  const extension = extname(path).toLowerCase();
  if (extension === '') return BYTES;
  const kept = KEPT[extension];
  if (kept !== undefined) return kept;
  const type = contentType(extension);
  if (type === false) return BYTES;
  return JSON_SUFFIX.test(type) ? `${type}; charset=utf-8` : type;
}

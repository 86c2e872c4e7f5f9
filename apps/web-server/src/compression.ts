import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';
import { CODINGS, type Coding, codingsFor } from './accept-encoding.ts';
import type { Resource } from './lookup.ts';

type Served = Extract<Resource, { kind: 'file' | 'large-file' }>;
type FileResource = Extract<Resource, { kind: 'file' }>;

/** Below this, a compressed body saves less than its headers and the client's work cost. */
export const MIN_COMPRESSED_BYTES = 1024;
/** What a compressed form costs in memory besides its body: its object and the headers built for it. */
const ENCODING_OVERHEAD_BYTES = 1024;

/** Compresses a body with one coding; injected in tests to count the calls. */
export type Compressor = (coding: Coding, body: Buffer) => Promise<Buffer>;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * zlib's asynchronous functions, which run on libuv's thread pool and never on the event loop.
 * Brotli's quality 5 compresses a 1 MB page in a few tens of milliseconds to within a few percent
 * of quality 11's size, which takes seconds; gzip's default level 6 is what nginx users set.
 */
export const compressWithZlib: Compressor = (coding, body) =>
  coding === 'br'
    ? brotli(body, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: 5,
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
          [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      })
    : gzipped(body, { level: 6 });

/** A compressed form of a cached file: the file's own facts with another body and ETag. */
export type Encoded = FileResource & { readonly contentEncoding: Coding };
export type Encodings = Readonly<Partial<Record<Coding, Encoded>>>;
/** A cached file once its compressed forms are ready: they are kept, and counted, with it. */
type WithEncodings = FileResource & { readonly encodings?: Encodings };

/** The types worth compressing: text, and the JSON, XML, SVG and JavaScript that are text too. */
const COMPRESSIBLE =
  /^(?:text\/[^;]+|image\/svg\+xml|application\/(?:javascript|json|xml|[\w.-]+\+(?:json|xml)))(?:;|$)/;

/**
 * Whether answers for this file depend on Accept-Encoding. Files streamed from disk are never
 * compressed: doing it per request is the work this server avoids, and they are not cached.
 */
export function compressible(resource: Served): boolean {
  return (
    resource.kind === 'file' &&
    resource.body.length >= MIN_COMPRESSED_BYTES &&
    COMPRESSIBLE.test(resource.contentType)
  );
}

/** A file whose compressed forms are still to be made. */
export function needsEncoding(resource: Resource): resource is FileResource {
  return (
    resource.kind === 'file' && compressible(resource) && (resource as WithEncodings).encodings === undefined
  );
}

/**
 * The cached answer with its compressed forms: a new object, so its headers are built anew.
 * Forms made for the same content under another name (`/` and `/index.html`, or a copy of a
 * file) take this answer's type, date and Vary.
 */
export function withEncodings(resource: FileResource, encodings: Encodings): Resource {
  const own: Partial<Record<Coding, Encoded>> = {};
  for (const coding of CODINGS) {
    const encoded = encodings[coding];
    if (encoded === undefined) continue;
    const same =
      encoded.negotiated === resource.negotiated &&
      encoded.contentType === resource.contentType &&
      encoded.lastModified === resource.lastModified;
    own[coding] = same
      ? encoded
      : {
          ...encoded,
          negotiated: resource.negotiated,
          contentType: resource.contentType,
          lastModified: resource.lastModified,
        };
  }
  // The very object the encoder remembers whenever it fits, so that memory holds on to it.
  const fits = CODINGS.every((coding) => own[coding] === encodings[coding]);
  const answer: WithEncodings = { ...resource, encodings: fits ? encodings : own };
  return answer;
}

/** The memory the compressed forms kept with an answer take, for the cache's budget. */
export function encodedBytes(resource: Resource): number {
  const encodings = resource.kind === 'file' ? (resource as WithEncodings).encodings : undefined;
  if (encodings === undefined) return 0;
  let bytes = 0;
  for (const encoded of Object.values(encodings)) bytes += encoded.body.length + ENCODING_OVERHEAD_BYTES;
  return bytes;
}

const SIBLING: Record<Coding, string> = { br: '.br', gzip: '.gz' };
const ETAG_SUFFIX: Record<Coding, string> = { br: '-br', gzip: '-gz' };

/**
 * A precompressed copy shipped beside the file (`page.html.br`), if there is one to trust. It is
 * opened without following a symlink, so it is a file in the folder already checked, never one
 * a link leads out to. One older than the file (to the second, Last-Modified's precision) was
 * left from an earlier version, and one that cannot be read is as good as none.
 */
async function sibling(path: string, coding: Coding, fileModifiedMs: number): Promise<Buffer | undefined> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(`${path}${SIBLING[coding]}`, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const facts = await file.stat();
    if (!facts.isFile() || facts.mtimeMs < fileModifiedMs) return undefined;
    return await file.readFile();
  } catch {
    return undefined;
  } finally {
    await file.close().catch(() => {});
  }
}

async function encodingsOf(resource: FileResource, compress: Compressor): Promise<Encodings> {
  const encodings: Partial<Record<Coding, Encoded>> = {};
  const modified = Date.parse(resource.lastModified);
  await Promise.all(
    CODINGS.map(async (coding) => {
      const shipped =
        resource.path === undefined ? undefined : await sibling(resource.path, coding, modified);
      let body = shipped;
      let etag: string;
      if (shipped === undefined) {
        body = await compress(coding, resource.body);
        // Not smaller: not worth a Content-Encoding the client must undo.
        if (body.length >= resource.body.length) return;
        // Never one ETag for two encodings: a cache would take one body for the other.
        etag = `${resource.etag.slice(0, -1)}${ETAG_SUFFIX[coding]}"`;
      } else {
        const hash = createHash('sha1').update(shipped).digest('base64url').slice(0, 22);
        etag = `"${hash}${ETAG_SUFFIX[coding]}"`;
      }
      encodings[coding] = { ...resource, body: body as Buffer, etag, contentEncoding: coding };
    }),
  );
  return encodings;
}

export interface Encoder {
  /** The compressed forms of a file, made at most once per content at a time. */
  encode(resource: FileResource): Promise<Encodings>;
  /** Those already made for this content and still in memory, without waiting. */
  known(resource: FileResource): Encodings | undefined;
}

/**
 * Compresses each version of a file once. Any change in the folder drops the whole cache, while
 * most files stay as they were: their compressed forms are found again by ETag (a hash of the
 * content) for as long as memory still holds them. Only a weak reference is kept here, so the
 * cache's budget alone bounds them.
 */
export function createEncoder(compress: Compressor): Encoder {
  const made = new Map<string, WeakRef<Encodings>>();
  const forget = new FinalizationRegistry<string>((etag) => {
    if (made.get(etag)?.deref() === undefined) made.delete(etag);
  });
  const running = new Map<string, Promise<Encodings>>();
  const known = (resource: FileResource) => made.get(resource.etag)?.deref();
  return {
    known,
    encode(resource) {
      const done = known(resource);
      if (done !== undefined) return Promise.resolve(done);
      let encoding = running.get(resource.etag);
      if (encoding === undefined) {
        encoding = encodingsOf(resource, compress).then((encodings) => {
          made.set(resource.etag, new WeakRef(encodings));
          forget.register(encodings, resource.etag);
          return encodings;
        });
        const settled = () => running.delete(resource.etag);
        encoding.then(settled, settled);
        running.set(resource.etag, encoding);
      }
      return encoding;
    },
  };
}

/**
 * A file made in memory once (the live-update script): answered as it is until its compressed
 * forms, made once at start, are ready.
 */
export function compressedWhenReady(resource: Resource, compress = compressWithZlib): () => Resource {
  let current = resource;
  if (needsEncoding(resource)) {
    createEncoder(compress)
      .encode(resource)
      .then(
        (encodings) => {
          current = withEncodings(resource, encodings);
        },
        () => {},
      );
  }
  return () => current;
}

/**
 * What to send for a file: one of its compressed forms the client accepts, or the file as it is.
 * Without Accept-Encoding the file goes as it is (curl and wrk send none), and so it does for a
 * Range request, as nginx does: ranges of a compressed body confuse clients. A HEAD's Range is
 * ignored (respond.ts), so it gets the representation of a HEAD without one.
 */
export function representationFor(request: IncomingMessage, resource: Served): Served {
  const encodings = (resource as WithEncodings).encodings;
  if (encodings === undefined) return resource;
  const header = request.headers['accept-encoding'];
  if (header === undefined || (request.headers.range !== undefined && request.method === 'GET'))
    return resource;
  for (const coding of codingsFor(header)) {
    const encoded = encodings[coding];
    if (encoded !== undefined) return encoded;
  }
  return resource;
}

/**
 * Vary for an answer. A file that may be sent compressed says `Vary: Accept-Encoding` as it is
 * too, so that caches keep the two apart; an index chosen by Accept names both in one header.
 */
export function varyOf(resource: Served): string | undefined {
  const byEncoding = (resource as Partial<Encoded>).contentEncoding !== undefined || compressible(resource);
  if (resource.negotiated) return byEncoding ? 'Accept, Accept-Encoding' : 'Accept';
  return byEncoding ? 'Accept-Encoding' : undefined;
}

const NO_HEADERS: Record<string, string> = {};

/** Content-Encoding for a compressed form, nothing for the file as it is. */
export function encodingHeaders(resource: Served): Record<string, string> {
  const encoding = (resource as Partial<Encoded>).contentEncoding;
  return encoding === undefined ? NO_HEADERS : { 'content-encoding': encoding };
}

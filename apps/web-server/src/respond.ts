import { createReadStream, open, type ReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { type ByteRange, parseByteRange } from './byte-range.ts';
import { encodingHeaders, representationFor, varyOf } from './compression.ts';
import { outOfDescriptors } from './descriptor-health.ts';
import type { Resource } from './lookup.ts';
import { evaluatePreconditions, ifRangeMatches } from './preconditions.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

const TEXT = 'text/plain; charset=utf-8';

function plain(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  const body = `${message}\n`;
  response.writeHead(status, {
    'content-type': TEXT,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

type Served = Extract<Resource, { kind: 'file' | 'large-file' }>;
// Flat [name, value, name, value, ...] lists: the form Node.js writes out with the least work.
interface Headers {
  readonly ok: readonly string[];
  /** ok's but Content-Length, which a 206 gives with its Content-Range. */
  readonly partial: readonly string[];
  /** Only what RFC 9110 §15.4.5 lets a 304 carry, and the security headers every answer has. */
  readonly notModified: readonly string[];
}

const sizeOf = (resource: Served) => (resource.kind === 'file' ? resource.body.length : resource.size);

// Built once per version of a file: the cache hands out the same resource object until the
// file changes, so the hot path sends ready-made headers.
const prepared = new WeakMap<Served, Headers>();

function headersOf(resource: Served): Headers {
  let headers = prepared.get(resource);
  if (!headers) {
    const validators: Record<string, string> = {
      ...SECURITY_HEADERS,
      etag: resource.etag,
      // The fortune changes every few seconds: browsers may keep it, but must ask again each time.
      'cache-control': 'no-cache',
    };
    const vary = varyOf(resource);
    if (vary !== undefined) validators.vary = vary;
    const common = {
      ...validators,
      ...encodingHeaders(resource),
      'content-type': resource.contentType,
      'last-modified': resource.lastModified,
      'accept-ranges': 'bytes',
    };
    headers = {
      ok: Object.entries({ ...common, 'content-length': String(sizeOf(resource)) }).flat(),
      partial: Object.entries(common).flat(),
      notModified: Object.entries(validators).flat(),
    };
    prepared.set(resource, headers);
  }
  return headers;
}

/** Writes the answer for a resource; HEAD gets the same headers and no body. */
export function respond(request: IncomingMessage, response: ServerResponse, resource: Resource): void {
  switch (resource.kind) {
    case 'bad-request':
      plain(response, 400, 'Bad request');
      return;
    case 'missing':
      plain(response, 404, 'Not found');
      return;
    case 'redirect':
      plain(response, 301, `Moved to ${resource.location}`, { location: resource.location });
      return;
    case 'unavailable':
      plain(response, 503, 'Service unavailable: no file can be opened now', { 'retry-after': '1' });
      return;
  }
  // The form of the file this client gets, compressed or not: its own ETag and length from here on.
  resource = representationFor(request, resource);
  const headers = headersOf(resource);
  // Preconditions before ranges (RFC 9110 §13.2.2): a 304 or a 412 wins over a 206.
  const precondition = evaluatePreconditions(request.headers, resource);
  if (precondition === 'not-modified') {
    response.writeHead(304, headers.notModified as string[]);
    response.end();
    return;
  }
  if (precondition === 'precondition-failed') {
    plain(response, 412, 'Precondition failed', SECURITY_HEADERS);
    return;
  }
  const range = rangeOf(request, resource);
  if (range === undefined) {
    send(request, response, resource, 200, headers.ok, 0, sizeOf(resource) - 1);
  } else if (range === 'unsatisfiable') {
    plain(response, 416, 'Range not satisfiable', {
      ...SECURITY_HEADERS,
      'content-range': `bytes */${sizeOf(resource)}`,
    });
  } else {
    const partial = headers.partial.concat(
      'content-range',
      `bytes ${range.start}-${range.end}/${sizeOf(resource)}`,
      'content-length',
      String(range.end - range.start + 1),
    );
    send(request, response, resource, 206, partial, range.start, range.end);
  }
}

/**
 * The part a GET asks for, undefined for the whole file: no Range header (nothing is parsed
 * then), one the server ignores, or an If-Range naming another version of the file. HEAD gets
 * the whole file's headers: RFC 9110 §14.2 defines ranges for GET only, and a server MUST
 * ignore Range on any other method.
 */
function rangeOf(request: IncomingMessage, resource: Served): ByteRange | 'unsatisfiable' | undefined {
  const header = request.headers.range;
  if (header === undefined || request.method !== 'GET') return undefined;
  const ifRange = request.headers['if-range'];
  if (ifRange !== undefined && !ifRangeMatches(String(ifRange), resource)) return undefined;
  const range = parseByteRange(header, sizeOf(resource));
  return range === 'ignore' ? undefined : range;
}

/** Bytes `start` to `end` of the file, both included; HEAD gets the same headers and no body. */
function send(
  request: IncomingMessage,
  response: ServerResponse,
  resource: Served,
  status: 200 | 206,
  headers: readonly string[],
  start: number,
  end: number,
): void {
  if (request.method === 'HEAD') {
    response.writeHead(status, headers as string[]);
    response.end();
  } else if (resource.kind === 'file') {
    response.writeHead(status, headers as string[]);
    response.end(status === 200 ? resource.body : resource.body.subarray(start, end + 1));
  } else {
    stream(request, response, resource, status, headers, start, end);
  }
}

// The files each connection is streaming, closed with it: a response queued behind another on a
// pipelining connection is never ended by Node.js when the client goes away, so its pipeline
// would wait forever, holding the file open.
const streamsOf = new WeakMap<Socket, Set<ReadStream>>();

function closeWithConnection(socket: Socket, file: ReadStream): void {
  let files = streamsOf.get(socket);
  if (files === undefined) {
    const created = new Set<ReadStream>();
    socket.once('close', () => {
      for (const each of created) each.destroy();
    });
    streamsOf.set(socket, created);
    files = created;
  }
  files.add(file);
  file.once('close', () => files.delete(file));
}

/**
 * Sends a file too large to keep in memory from disk. It is opened before the status is sent, so
 * a file gone meanwhile (a git-sync swap) is a 404 and a process out of descriptors a 503, never
 * a 200 cut short; pipeline() closes it however the response ends, a client gone mid-way
 * included, or each abandoned download would keep a descriptor (and a removed worktree) forever.
 */
function stream(
  request: IncomingMessage,
  response: ServerResponse,
  resource: Extract<Served, { kind: 'large-file' }>,
  status: 200 | 206,
  headers: readonly string[],
  start: number,
  end: number,
) {
  open(resource.path, 'r', (error, fd) => {
    if (error) {
      if (outOfDescriptors(error)) plain(response, 503, 'Service unavailable: out of file descriptors');
      else plain(response, 404, 'Not found');
      return;
    }
    response.writeHead(status, headers as string[]);
    // Never more than Content-Length said, should the file have grown since.
    const file = createReadStream(resource.path, { fd, start, end });
    closeWithConnection(request.socket, file);
    pipeline(file, response, () => {});
  });
}

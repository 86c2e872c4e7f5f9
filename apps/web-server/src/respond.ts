import { createReadStream, open, type ReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream';
import { outOfDescriptors } from './descriptor-health.ts';
import type { FileFacts, Resource } from './lookup.ts';
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

/** Whether the client already has this version (If-None-Match wins over If-Modified-Since, as RFC 9110 says). */
function notModified(request: IncomingMessage, facts: FileFacts): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    const wanted = strip(facts.etag);
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => strip(tag) === wanted);
  }
  const since = request.headers['if-modified-since'];
  if (since === undefined) return false;
  const sinceMs = Date.parse(since);
  return !Number.isNaN(sinceMs) && Date.parse(facts.lastModified) <= sinceMs;
}

type Served = Extract<Resource, { kind: 'file' | 'large-file' }>;
// Flat [name, value, name, value, ...] lists: the form Node.js writes out with the least work.
interface Headers {
  readonly ok: readonly string[];
  readonly notModified: readonly string[];
}

// Built once per version of a file: the cache hands out the same resource object until the
// file changes, so the hot path sends ready-made headers.
const prepared = new WeakMap<Served, Headers>();

function headersOf(resource: Served): Headers {
  let headers = prepared.get(resource);
  if (!headers) {
    const common: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': resource.contentType,
      etag: resource.etag,
      'last-modified': resource.lastModified,
      // The fortune changes every few seconds: browsers may keep it, but must ask again each time.
      'cache-control': 'no-cache',
      // Ranges are not served: a Range header is ignored and the whole file sent, as RFC 9110 allows.
      'accept-ranges': 'none',
    };
    if (resource.negotiated) common.vary = 'Accept';
    const size = resource.kind === 'file' ? resource.body.length : resource.size;
    headers = {
      ok: Object.entries({ ...common, 'content-length': String(size) }).flat(),
      notModified: Object.entries(common).flat(),
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
  const headers = headersOf(resource);
  if (notModified(request, resource)) {
    response.writeHead(304, headers.notModified as string[]);
    response.end();
    return;
  }
  if (request.method === 'HEAD') {
    response.writeHead(200, headers.ok as string[]);
    response.end();
  } else if (resource.kind === 'file') {
    response.writeHead(200, headers.ok as string[]);
    response.end(resource.body);
  } else {
    stream(request, response, resource, headers);
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
  headers: Headers,
) {
  open(resource.path, 'r', (error, fd) => {
    if (error) {
      if (outOfDescriptors(error)) plain(response, 503, 'Service unavailable: out of file descriptors');
      else plain(response, 404, 'Not found');
      return;
    }
    response.writeHead(200, headers.ok as string[]);
    // Never more than Content-Length said, should the file have grown since.
    const file = createReadStream(resource.path, { fd, end: resource.size - 1 });
    closeWithConnection(request.socket, file);
    pipeline(file, response, () => {});
  });
}

import { createHash } from 'node:crypto';
import { Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { GIT_SYNC_LAYOUT, INDEX_FILES } from '@fortune-sidecar/common';
import { contentTypeOf } from './content-type.ts';
import { outOfDescriptors } from './descriptor-health.ts';
import { isHidden, isPrivate, type RequestPath } from './request-path.ts';

export interface FileFacts {
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: string;
  /** Chosen by the Accept header (a directory index): responses must say `Vary: Accept`. */
  readonly negotiated: boolean;
}

export type Resource =
  /** `path`: where it was read, absent for a body made in memory; the compressed copies beside it are looked for there. */
  | ({ readonly kind: 'file'; readonly body: Buffer; readonly path?: string } & FileFacts)
  | ({ readonly kind: 'large-file'; readonly path: string; readonly size: number } & FileFacts)
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'bad-request' }
  /** The file may well exist, but this process cannot open one now (out of descriptors). */
  | { readonly kind: 'unavailable' };

const MISSING: Resource = { kind: 'missing' };
const UNAVAILABLE: Resource = { kind: 'unavailable' };

/** A server out of descriptors must not answer 404 for a file that is there: a 503 is retried. */
function notFoundBecause(error: unknown): Resource {
  return outOfDescriptors(error as NodeJS.ErrnoException) ? UNAVAILABLE : MISSING;
}

const [GIT_SYNC_STATE, GIT_SYNC_WORKTREES] = GIT_SYNC_LAYOUT.worktrees.split('/');

/**
 * The URL's dot rule, on the folders a path really goes through. git-sync's link is the one
 * symlink that may lead into a hidden folder: by the volume contract it points to a revision in
 * `.gitsync/worktrees/<revision>`, which is served like any folder. Anything else hidden on the
 * way (`.git`, `.env`, the rest of `.gitsync`) is not. The root's `.well-known` is public under
 * any name a link gives it, and only there: a `.well-known` deeper down, one inside a revision
 * that is not the served folder itself, or a `.well-known` that is a link to `.git`, is not.
 */
function visibleWhenResolved(segments: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i += 1) {
    if (
      segments[i] === GIT_SYNC_STATE &&
      segments[i + 1] === GIT_SYNC_WORKTREES &&
      !isHidden(segments[i + 2] ?? '.')
    ) {
      // A revision, not a checkout in progress (those are dot-named until complete).
      i += 2;
    } else if (isPrivate(segments[i] as string, i)) {
      return false;
    }
  }
  return true;
}

/**
 * The real path of `path` if it exists and stays inside `rootReal` once every symlink is
 * resolved, and the URL's rule holds there too: a link named `gitdir` to `.git` reaches nothing.
 */
async function realpathInside(rootReal: string, path: string): Promise<string | Resource> {
  try {
    const real = await realpath(path);
    if (real === rootReal) return real;
    if (!real.startsWith(rootReal + sep)) return MISSING;
    return visibleWhenResolved(real.slice(rootReal.length + 1).split(sep)) ? real : MISSING;
  } catch (error) {
    return notFoundBecause(error);
  }
}

/**
 * Finds what a request path names in the served folder, resolving the folder itself on every
 * call: when git-sync swaps its link, the next lookup lands in the new revision. Files up to
 * `maxBodyBytes` are read whole through one open file handle, so the body, its ETag and its
 * date all belong to the same version even while the writer renames a new file into place.
 */
export async function lookup(
  root: string,
  path: RequestPath,
  wantsHtml: boolean,
  maxBodyBytes: number,
): Promise<Resource> {
  if (path.kind === 'bad-request') return { kind: 'bad-request' };
  if (path.kind === 'not-found') return MISSING;
  const rootReal = await realpath(root).catch(notFoundBecause);
  if (typeof rootReal !== 'string') return rootReal;
  const target = await realpathInside(rootReal, join(rootReal, ...path.segments));
  if (typeof target !== 'string') return target;
  const facts = await stat(target).catch(notFoundBecause);
  if (!(facts instanceof Stats)) return facts;

  if (facts.isFile()) return path.directory ? MISSING : readResource(target, false, maxBodyBytes);
  if (!facts.isDirectory()) return MISSING;
  if (!path.directory) {
    return { kind: 'redirect', location: `/${path.segments.map(encodeURIComponent).join('/')}/` };
  }
  const candidates = wantsHtml ? [INDEX_FILES.html] : [INDEX_FILES.text, INDEX_FILES.html];
  for (const name of candidates) {
    const index = await realpathInside(rootReal, join(target, name));
    const found = typeof index === 'string' ? await readResource(index, true, maxBodyBytes) : index;
    if (found.kind !== 'missing') return found;
  }
  return MISSING;
}

/** A file served from memory; its ETag is a hash of its content, the same on every replica. */
export function fileResource(body: Buffer, facts: Omit<FileFacts, 'etag'> & { path?: string }): Resource {
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
  return { kind: 'file', body, etag, ...facts };
}

async function readResource(path: string, negotiated: boolean, maxBodyBytes: number): Promise<Resource> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    return notFoundBecause(error);
  }
  try {
    const facts = await file.stat();
    if (!facts.isFile()) return MISSING;
    const common = {
      contentType: contentTypeOf(path),
      lastModified: facts.mtime.toUTCString(),
      negotiated,
    };
    if (facts.size > maxBodyBytes) {
      const etag = `W/"${facts.size.toString(36)}-${Math.floor(facts.mtimeMs).toString(36)}"`;
      return { kind: 'large-file', path, size: facts.size, etag, ...common };
    }
    return fileResource(await file.readFile(), { ...common, path });
  } finally {
    await file.close();
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One object from a manifest file, with where it came from. */
export interface Manifest {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly object: Readonly<Record<string, unknown>>;
}

/** A problem found in a manifest, worded for the person who edits it. */
export interface Problem {
  readonly file: string;
  /** `Kind/name`, or the file alone when the object cannot be named. */
  readonly object: string;
  readonly message: string;
}

export function problem(manifest: Pick<Manifest, 'file' | 'kind' | 'name'>, message: string): Problem {
  return { file: manifest.file, object: `${manifest.kind}/${manifest.name}`, message };
}

/**
 * Every object of every `.yaml` file in `dir`, in file order, as `kubectl apply -f dir` reads
 * them. YAML that does not parse, or a document that is not a named Kubernetes object, is a
 * problem rather than an exception, so one run reports everything.
 */
export async function loadManifests(dir: string): Promise<{ manifests: Manifest[]; problems: Problem[] }> {
  const files = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const parsed = parseManifests(await readFile(join(dir, file), 'utf8'), file);
    manifests.push(...parsed.manifests);
    problems.push(...parsed.problems);
  }
  return { manifests, problems };
}

/** The objects of one YAML text (documents separated by `---`), named after `file`. */
export function parseManifests(text: string, file: string): { manifests: Manifest[]; problems: Problem[] } {
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      problems.push({ file, object: file, message: `YAML: ${document.errors[0]?.message}` });
      continue;
    }
    const object: unknown = document.toJS();
    if (object === null || object === undefined) continue;
    const named = asObject(object);
    const metadata = asObject(named?.metadata);
    const { apiVersion, kind } = named ?? {};
    const name = metadata?.name;
    if (!named || typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') {
      problems.push({ file, object: file, message: 'a document without apiVersion, kind and metadata.name' });
      continue;
    }
    manifests.push({ file, apiVersion, kind, name, object: named });
  }
  return { manifests, problems };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

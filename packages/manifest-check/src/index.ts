import type { Catalog } from './catalog.ts';
import { loadManifests, type Manifest, type Problem, parseManifests } from './load.ts';
import { checkReferences } from './references.ts';
import { checkSchemas } from './schema.ts';
import { checkSecurity } from './security.ts';

export type { Catalog, ImageSpec } from './catalog.ts';
export { containersOf, longRunningContainersOf } from './containers.ts';
export { loadManifests, type Manifest, type Problem, parseManifests } from './load.ts';
export { parseQuantity } from './quantity.ts';
export { type PodOf, podsOf } from './references.ts';
export { RUN_AS } from './security.ts';

/**
 * Everything wrong with one set of manifests that are applied together (one folder): schema
 * and unknown fields first, then, for the objects that pass, how they fit together and the
 * project's security rules.
 */
export function checkManifests(manifests: readonly Manifest[], catalog: Catalog): Problem[] {
  const { problems, valid } = checkSchemas(manifests);
  return [...problems, ...checkReferences(valid, catalog), ...checkSecurity(valid)];
}

/** checkManifests() for the `.yaml` files of a folder, YAML problems included. */
export async function checkFolder(dir: string, catalog: Catalog): Promise<Problem[]> {
  const { manifests, problems } = await loadManifests(dir);
  return [...problems, ...checkManifests(manifests, catalog)];
}

/** The YAML of objects applied together, such as `kubectl kustomize k8s/emptydir` prints. */
export interface RenderedSet {
  /** How problems name where they come from: `k8s/emptydir`. */
  readonly source: string;
  readonly text: string;
}

/**
 * checkManifests() for several rendered sets at once, by source. Each set is checked on its own
 * for how its objects fit together; the unknown-field check of all of them is one TypeScript
 * program, the costly part of a check.
 */
export function checkRendered(sets: readonly RenderedSet[], catalog: Catalog): Map<string, Problem[]> {
  const parsed = sets.map(({ source, text }) => ({ source, ...parseManifests(text, source) }));
  const schemas = checkSchemas(parsed.flatMap(({ manifests }) => manifests));
  const found = new Map<string, Problem[]>();
  for (const { source, manifests, problems } of parsed) {
    const ofSet = new Set(manifests);
    const valid = schemas.valid.filter((manifest) => ofSet.has(manifest));
    found.set(source, [
      ...problems,
      ...schemas.problems.filter((problem) => problem.file === source),
      ...checkReferences(valid, catalog),
      ...checkSecurity(valid),
    ]);
  }
  return found;
}

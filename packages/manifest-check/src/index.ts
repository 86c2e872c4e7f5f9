import type { Catalog } from './catalog.ts';
import { loadManifests, type Manifest, type Problem } from './load.ts';
import { checkReferences } from './references.ts';
import { checkSchemas } from './schema.ts';
import { checkSecurity } from './security.ts';

export type { Catalog, ImageSpec } from './catalog.ts';
export { loadManifests, type Manifest, type Problem, parseManifests } from './load.ts';
export { parseQuantity } from './quantity.ts';
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

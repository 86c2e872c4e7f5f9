/** What the check knows about an image the manifests may run. */
export interface ImageSpec {
  /** The full reference manifests must use: registry, name and tag. */
  readonly reference: string;
  /** The environment the image sets itself (its Dockerfile's ENV), which a manifest's env overrides. */
  readonly env: Readonly<Record<string, string>>;
  /** The variables the service reads: any other in a manifest is a typo or a leftover. */
  readonly knownVariables: readonly string[];
  /** Reads the settings as the service does at start; throws with what is wrong. */
  readonly loadConfig: (env: Readonly<Record<string, string>>) => unknown;
  /** The port the health endpoints answer on under these settings, if any. */
  readonly healthPort: (env: Readonly<Record<string, string>>) => number | undefined;
  readonly healthPaths: readonly string[];
  /** Whether every volume this image mounts must be read-only (it only serves). */
  readonly readsOnly: boolean;
}

export interface Catalog {
  readonly images: readonly ImageSpec[];
  /** Storage classes the target cluster provides itself, such as k3d's `local-path`. */
  readonly clusterStorageClasses: readonly string[];
}

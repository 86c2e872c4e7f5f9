import type { IPod, IVolume } from 'kubernetes-models/v1';
import { containersOf } from './containers.ts';
import type { Manifest } from './load.ts';

/** What the API server accepts as a downwardAPI file: the pod's metadata, whole maps or one key. */
const VOLUME_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'metadata.labels',
  'metadata.annotations',
];
/** What only an environment variable can carry: set once, when the container starts. */
const ENV_ONLY_FIELDS = [
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const ONE_KEY = /^metadata\.(labels|annotations)\['[^']+'\]$/;
const RESOURCES = [
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
];

interface DownwardItem {
  readonly path: string;
  readonly fieldRef?: { readonly fieldPath: string } | undefined;
  readonly resourceFieldRef?:
    | { readonly containerName?: string | undefined; readonly resource: string }
    | undefined;
}
interface KeyedSource {
  readonly name?: string | undefined;
  readonly optional?: boolean | undefined;
  readonly items?: readonly { readonly key: string; readonly path: string }[] | undefined;
}

/** The keys a ConfigMap or a Secret defined alongside has, or undefined when none of that name is. */
function keysOf(
  manifests: readonly Manifest[],
  kind: 'ConfigMap' | 'Secret',
  name: string,
): string[] | undefined {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.name === name)?.object as
    | { data?: object; binaryData?: object; stringData?: object }
    | undefined;
  if (!found) return undefined;
  return [
    ...Object.keys(found.data ?? {}),
    ...Object.keys(found.binaryData ?? {}),
    ...Object.keys(found.stringData ?? {}),
  ];
}

/**
 * A ConfigMap or Secret source of a projected volume: what keeps the pod in ContainerCreating is
 * the object missing, or an item's key missing from it (unless the source is optional). Returns
 * the paths the source adds to the volume.
 */
function checkKeyedSource(
  volume: string,
  kind: 'ConfigMap' | 'Secret',
  source: KeyedSource,
  manifests: readonly Manifest[],
  report: (message: string) => void,
): string[] {
  const keys = keysOf(manifests, kind, source.name ?? '');
  if (keys === undefined) {
    if (source.optional !== true)
      report(`volume "${volume}" uses ${kind} ${source.name}, which no manifest here creates`);
    return (source.items ?? []).map((item) => item.path);
  }
  for (const item of source.items ?? []) {
    if (!keys.includes(item.key) && source.optional !== true) {
      report(
        `volume "${volume}" maps key "${item.key}", which ${kind} ${source.name} does not have (its keys: ${keys.join(', ') || 'none'})`,
      );
    }
  }
  return source.items ? source.items.map((item) => item.path) : keys;
}

/** Items of a downwardAPI volume or source: fields a file can hold, and containers that exist. */
function checkDownwardItems(
  pod: IPod,
  volume: string,
  items: readonly DownwardItem[],
  report: (message: string) => void,
): string[] {
  const containers = containersOf(pod).map((container) => container.name);
  for (const item of items) {
    const fieldPath = item.fieldRef?.fieldPath;
    if (fieldPath !== undefined && !VOLUME_FIELDS.includes(fieldPath) && !ONE_KEY.test(fieldPath)) {
      const hint = ENV_ONLY_FIELDS.includes(fieldPath) ? ': only an environment variable can carry it' : '';
      report(
        `volume "${volume}" file "${item.path}": fieldPath ${fieldPath} cannot be a file (${VOLUME_FIELDS.join(', ')}, or one label or annotation)${hint}`,
      );
    }
    const resource = item.resourceFieldRef;
    if (resource) {
      if (!resource.containerName || !containers.includes(resource.containerName)) {
        report(
          `volume "${volume}" file "${item.path}": resourceFieldRef names container ${resource.containerName ?? '(none)'}, which the pod does not have (a volume must name one)`,
        );
      }
      if (!RESOURCES.includes(resource.resource))
        report(
          `volume "${volume}" file "${item.path}": resource ${resource.resource} is not one of ${RESOURCES.join(', ')}`,
        );
    }
  }
  return items.map((item) => item.path);
}

function checkVolume(
  pod: IPod,
  volume: IVolume,
  manifests: readonly Manifest[],
  report: (message: string) => void,
): void {
  if (volume.downwardAPI) checkDownwardItems(pod, volume.name, volume.downwardAPI.items ?? [], report);
  // A secret volume names its Secret by secretName, where the other sources say name.
  if (volume.secret) {
    const { secretName: name, optional, items } = volume.secret;
    checkKeyedSource(volume.name, 'Secret', { name, optional, items }, manifests, report);
  }
  const projected = volume.projected;
  if (!projected) return;
  const paths: string[] = [];
  for (const source of projected.sources ?? []) {
    if (source.configMap)
      paths.push(...checkKeyedSource(volume.name, 'ConfigMap', source.configMap, manifests, report));
    if (source.secret)
      paths.push(...checkKeyedSource(volume.name, 'Secret', source.secret, manifests, report));
    if (source.downwardAPI)
      paths.push(...checkDownwardItems(pod, volume.name, source.downwardAPI.items ?? [], report));
    if (source.serviceAccountToken) paths.push(source.serviceAccountToken.path);
  }
  // The API server refuses a projected volume whose sources write the same file.
  const twice = [...new Set(paths.filter((path, index) => paths.indexOf(path) !== index))];
  for (const path of twice) report(`volume "${volume.name}": more than one source writes "${path}"`);
}

/**
 * What the API server refuses or the kubelet cannot mount in downwardAPI and projected volumes
 * (a field no file can hold, a resource of a container the pod lacks, a ConfigMap or Secret or
 * key not defined alongside, two sources writing one path), and environment variables from
 * fields the downward API does not give (a whole map, which only a volume can hold).
 */
export function checkDownwardAndProjected(
  pod: IPod,
  manifests: readonly Manifest[],
  report: (message: string) => void,
): void {
  for (const volume of pod.spec?.volumes ?? []) checkVolume(pod, volume, manifests, report);
  for (const container of containersOf(pod)) {
    for (const variable of container.env ?? []) {
      const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
      if (fieldPath === undefined) continue;
      const valid =
        ['metadata.name', 'metadata.namespace', 'metadata.uid', ...ENV_ONLY_FIELDS].includes(fieldPath) ||
        ONE_KEY.test(fieldPath);
      if (!valid) {
        report(
          `container ${container.name} sets ${variable.name} from fieldPath ${fieldPath}, which an environment variable cannot carry${fieldPath === 'metadata.labels' || fieldPath === 'metadata.annotations' ? " (a whole map is for a downwardAPI volume; name one key, such as metadata.labels['app'])" : ''}`,
        );
      }
    }
  }
}

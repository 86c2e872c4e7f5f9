import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { IContainer, IPod, IProbe } from 'kubernetes-models/v1';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Catalog, ImageSpec } from './catalog.ts';
import { containersOf, longRunningContainersOf } from './containers.ts';
import { type Manifest, type Problem, problem } from './load.ts';
import { checkDownwardAndProjected } from './projected.ts';
import { parseQuantity } from './quantity.ts';

const of = <T>(manifests: readonly Manifest[], kind: string) =>
  manifests
    .filter((manifest) => manifest.kind === kind)
    .map((manifest) => ({
      manifest,
      object: manifest.object as unknown as T,
    }));

/** A pod as the cluster will run it: a Pod, or the pod template of a Deployment or StatefulSet. */
export interface PodOf {
  /** The object that defines it, under which its problems are reported. */
  readonly manifest: Manifest;
  readonly object: IPod;
  /** A StatefulSet's volumeClaimTemplates: each replica gets its own claim, mounted by this name. */
  readonly claimTemplates: readonly Omit<IPersistentVolumeClaim, 'apiVersion' | 'kind'>[];
}

/** Every pod these objects run: Pods, and the pod templates of Deployments and StatefulSets. */
export function podsOf(manifests: readonly Manifest[]): PodOf[] {
  return manifests.flatMap((manifest): PodOf[] => {
    if (manifest.kind === 'Pod') {
      return [{ manifest, object: manifest.object as unknown as IPod, claimTemplates: [] }];
    }
    if (manifest.kind !== 'Deployment' && manifest.kind !== 'StatefulSet') return [];
    const workload = manifest.object as unknown as IDeployment | IStatefulSet;
    const template = workload.spec?.template;
    const claimTemplates =
      manifest.kind === 'StatefulSet' ? ((workload as IStatefulSet).spec?.volumeClaimTemplates ?? []) : [];
    return [
      {
        manifest,
        object: { apiVersion: 'v1', kind: 'Pod', metadata: template?.metadata, spec: template?.spec } as IPod,
        claimTemplates,
      },
    ];
  });
}

/**
 * What a cluster would only tell you after `kubectl apply`, or never: mounts of volumes that are
 * not declared, claims that cannot bind, probes and services aimed at ports nobody listens on,
 * images this project does not build, and settings the service would refuse at start.
 */
export function checkReferences(manifests: readonly Manifest[], catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const pods = podsOf(manifests);
  const claims = of<IPersistentVolumeClaim>(manifests, 'PersistentVolumeClaim');
  const volumes = of<IPersistentVolume>(manifests, 'PersistentVolume');
  const classes = of<IStorageClass>(manifests, 'StorageClass');
  const configMaps = of<IConfigMap>(manifests, 'ConfigMap');

  for (const { manifest, object: pod, claimTemplates } of pods) {
    const report = (message: string) => problems.push(problem(manifest, message));
    const declared = new Map((pod.spec?.volumes ?? []).map((volume) => [volume.name, volume]));
    const templates = new Set(claimTemplates.map((claim) => claim.metadata?.name ?? ''));
    const mounted = new Set<string>();
    for (const container of containersOf(pod)) {
      for (const mount of container.volumeMounts ?? []) {
        mounted.add(mount.name);
        if (!declared.has(mount.name) && !templates.has(mount.name)) {
          report(`container ${container.name} mounts volume "${mount.name}", which the pod does not declare`);
        }
      }
      checkImage(pod, container, catalog, report);
      checkProbes(pod, container, catalog, report);
    }
    checkRunToCompletion(pod, report);
    for (const name of declared.keys()) {
      if (!mounted.has(name)) report(`volume "${name}" is declared but no container mounts it`);
    }
    for (const claim of claimTemplates) {
      const name = claim.metadata?.name ?? '';
      if (declared.has(name)) {
        report(`volumeClaimTemplate "${name}" has the name of a volume of the pod template`);
      } else if (!mounted.has(name)) {
        report(`volumeClaimTemplate "${name}" is claimed for each replica but no container mounts it`);
      }
      const reason = whyClaimCannotBind(claim, volumes, classes, catalog);
      if (reason) report(`volumeClaimTemplate "${name}" can never bind: ${reason}`);
    }
    checkWorkload(manifest, pod, manifests, report);
    for (const volume of declared.values()) {
      const claimName = volume.persistentVolumeClaim?.claimName;
      if (claimName && !claims.some((claim) => claim.manifest.name === claimName)) {
        report(`volume "${volume.name}" uses claim ${claimName}, which no manifest here creates`);
      }
    }
    checkConfigMapVolumes(pod, configMaps, report);
    checkDownwardAndProjected(pod, manifests, report);
  }

  for (const { manifest, object: claim } of claims) {
    const reason = whyClaimCannotBind(claim, volumes, classes, catalog);
    if (reason) problems.push(problem(manifest, `can never bind: ${reason}`));
  }

  for (const { manifest, object: service } of of<IService>(manifests, 'Service')) {
    const selector = service.spec?.selector ?? {};
    const targets = pods.filter(({ object: pod }) =>
      Object.entries(selector).every(([key, value]) => pod.metadata?.labels?.[key] === value),
    );
    if (targets.length === 0) {
      problems.push(
        problem(manifest, 'selects no pod defined here: check spec.selector against the pod labels'),
      );
      continue;
    }
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const found = targets.some(({ object: pod }) =>
        longRunningContainersOf(pod).some((container) => resolvePort(container, target) !== undefined),
      );
      if (!found)
        problems.push(problem(manifest, `targetPort ${target} is not a port of the pod's containers`));
    }
  }
  return problems;
}

/**
 * What keeps a pod in ContainerCreating (a FailedMount event, `configmap "..." not found` or
 * `references non-existent config key`), or gives a container a folder where it expects a
 * file: a configMap volume naming a ConfigMap not defined alongside, an item whose key the
 * ConfigMap lacks, and a subPath that is not one of the volume's files. With `optional: true`
 * the kubelet mounts what there is instead, even nothing, so none of these is reported.
 */
function checkConfigMapVolumes(
  pod: IPod,
  configMaps: readonly { manifest: Manifest; object: IConfigMap }[],
  report: (message: string) => void,
): void {
  for (const volume of pod.spec?.volumes ?? []) {
    const source = volume.configMap;
    if (!source || source.optional === true) continue;
    const found = configMaps.find((entry) => entry.manifest.name === source.name)?.object;
    if (!found) {
      report(`volume "${volume.name}" uses ConfigMap ${source.name}, which no manifest here creates`);
      continue;
    }
    const keys = [...Object.keys(found.data ?? {}), ...Object.keys(found.binaryData ?? {})];
    for (const item of source.items ?? []) {
      if (!keys.includes(item.key)) {
        report(
          `volume "${volume.name}" maps key "${item.key}", which ConfigMap ${source.name} does not have (its keys: ${keys.join(', ') || 'none'})`,
        );
      }
    }
    // With items, only the items' paths are files of the volume; without, every key is one.
    const files = source.items ? source.items.map((item) => item.path) : keys;
    for (const container of containersOf(pod)) {
      for (const mount of container.volumeMounts ?? []) {
        const subPath = mount.subPath?.replace(/\/+$/, '');
        if (mount.name !== volume.name || !subPath) continue;
        if (!files.some((file) => file === subPath || file.startsWith(`${subPath}/`))) {
          report(
            `container ${container.name} mounts subPath "${subPath}" of volume "${volume.name}", which is not one of its files (${files.join(', ') || 'none'})`,
          );
        }
      }
    }
  }
}

/**
 * What the API server refuses, or what leaves a workload without pods or names: a selector that
 * does not match its own template's labels, and a StatefulSet whose serviceName is not a
 * headless Service defined alongside (the Service that gives each replica its DNS name).
 */
function checkWorkload(
  manifest: Manifest,
  pod: IPod,
  manifests: readonly Manifest[],
  report: (message: string) => void,
): void {
  if (manifest.kind === 'Pod') return;
  const workload = manifest.object as unknown as IDeployment | IStatefulSet;
  const matchLabels = workload.spec?.selector?.matchLabels ?? {};
  const labels = pod.metadata?.labels ?? {};
  const unmatched = Object.entries(matchLabels).filter(([key, value]) => labels[key] !== value);
  if (unmatched.length > 0) {
    report(
      `spec.selector does not match the pod template's labels (${unmatched.map(([k, v]) => `${k}=${v}`).join(', ')})`,
    );
  }
  if (manifest.kind !== 'StatefulSet') return;
  const serviceName = (workload as IStatefulSet).spec?.serviceName;
  if (!serviceName) return;
  const governing = of<IService>(manifests, 'Service').find((entry) => entry.manifest.name === serviceName);
  if (!governing) {
    report(`serviceName ${serviceName} names no Service defined here`);
  } else if (governing.object.spec?.clusterIP !== 'None') {
    report(`serviceName ${serviceName} names a Service that is not headless: give it clusterIP: None`);
  }
}

function imageSpec(container: IContainer, catalog: Catalog): ImageSpec | undefined {
  return catalog.images.find((image) => image.reference === container.image);
}

/**
 * What the downward API gives for `fieldPath`: the pod's own labels and annotations are known
 * here (a missing one gives an empty value, as in Kubernetes); names and nodes are not.
 */
function downwardValue(pod: IPod, fieldPath: string): string {
  const [, field, key] = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath) ?? [];
  if (field === undefined || key === undefined) return 'from-the-downward-api';
  return (field === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[key] ?? '';
}

/** The container's environment as the service sees it. */
function environment(pod: IPod, container: IContainer, image: ImageSpec): Record<string, string> {
  const env: Record<string, string> = { ...image.env };
  for (const variable of container.env ?? []) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    env[variable.name] =
      variable.value ?? (fieldPath ? downwardValue(pod, fieldPath) : 'from-the-downward-api');
  }
  return env;
}

function checkImage(
  pod: IPod,
  container: IContainer,
  catalog: Catalog,
  report: (message: string) => void,
): void {
  const image = imageSpec(container, catalog);
  if (!image) {
    const known = catalog.images.map((spec) => spec.reference).join(', ');
    report(
      `container ${container.name} runs ${container.image}, which is not an image of this project (${known})`,
    );
    return;
  }
  if (image.readsOnly) {
    for (const mount of container.volumeMounts ?? []) {
      if (!mount.readOnly)
        report(`container ${container.name} only serves files: mount "${mount.name}" readOnly`);
    }
  }
  // A command of its own means the image runs another program, with settings of its own.
  if (container.command) return;
  for (const variable of container.env ?? []) {
    if (!image.knownVariables.includes(variable.name)) {
      report(`container ${container.name} sets ${variable.name}, which its service does not read`);
    }
  }
  try {
    image.loadConfig(environment(pod, container, image));
  } catch (error) {
    report(`container ${container.name} would not start: ${(error as Error).message}`);
  }
}

/** The port number a probe or a service names (by number or by port name) in this container. */
function resolvePort(container: IContainer, port: number | string): number | undefined {
  const ports = container.ports ?? [];
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port) ? port : undefined;
  return ports.find((p) => p.name === port)?.containerPort;
}

function checkProbes(
  pod: IPod,
  container: IContainer,
  catalog: Catalog,
  report: (message: string) => void,
): void {
  const image = imageSpec(container, catalog);
  const probes: [string, IProbe | undefined][] = [
    ['livenessProbe', container.livenessProbe],
    ['readinessProbe', container.readinessProbe],
    ['startupProbe', container.startupProbe],
  ];
  for (const [kind, probe] of probes) {
    if (!probe) continue;
    const target = probe.httpGet ?? probe.tcpSocket;
    if (!target) continue;
    const port = resolvePort(container, target.port);
    if (port === undefined) {
      report(`container ${container.name}: ${kind} port ${target.port} is not one of its ports`);
      continue;
    }
    if (!image || container.command) continue;
    let listening: number | undefined;
    try {
      listening = image.healthPort(environment(pod, container, image));
    } catch {
      // Settings the service refuses: checkImage() reports that it would not start.
      continue;
    }
    if (port !== listening) {
      report(
        `container ${container.name}: ${kind} asks port ${port}, but the service answers health checks on ${listening ?? 'no port'}`,
      );
    }
    const path = probe.httpGet?.path;
    if (probe.httpGet && !image.healthPaths.includes(path ?? '/')) {
      report(
        `container ${container.name}: ${kind} asks ${path}, but the service answers ${image.healthPaths.join(' and ')}`,
      );
    }
  }
}

/**
 * What the API server refuses for containers that run to completion: an init container without
 * `restartPolicy: Always` is waited for, so it may have no probes; and `restartPolicy` belongs to
 * init containers only.
 */
function checkRunToCompletion(pod: IPod, report: (message: string) => void): void {
  for (const container of pod.spec?.initContainers ?? []) {
    if (container.restartPolicy === 'Always') continue;
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (container[kind]) {
        report(
          `init container ${container.name} runs to completion and cannot have a ${kind}: give it restartPolicy: Always to make it a sidecar`,
        );
      }
    }
    if (container.restartPolicy !== undefined) {
      report(`init container ${container.name}: restartPolicy must be Always, or left out`);
    }
  }
  for (const container of pod.spec?.containers ?? []) {
    if (container.restartPolicy !== undefined) {
      report(
        `container ${container.name}: restartPolicy applies to init containers only (the pod's restartPolicy covers the others)`,
      );
    }
  }
}

function whyClaimCannotBind(
  claim: Omit<IPersistentVolumeClaim, 'apiVersion' | 'kind'>,
  volumes: readonly { manifest: Manifest; object: IPersistentVolume }[],
  classes: readonly { manifest: Manifest; object: IStorageClass }[],
  catalog: Catalog,
): string | undefined {
  const className = claim.spec?.storageClassName ?? '';
  const requested = parseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
  const modes = claim.spec?.accessModes ?? [];
  const storageClass = classes.find((entry) => entry.manifest.name === className)?.object;
  const dynamic = storageClass
    ? storageClass.provisioner !== 'kubernetes.io/no-provisioner'
    : catalog.clusterStorageClasses.includes(className);
  if (dynamic) return undefined;

  const candidates = volumes.filter(({ object }) => (object.spec?.storageClassName ?? '') === className);
  if (candidates.length === 0) {
    return `no volume of class "${className}" is defined here, and the class has no provisioner`;
  }
  const reasons: string[] = [];
  for (const { manifest, object } of candidates) {
    const capacity = parseQuantity(object.spec?.capacity?.storage) ?? 0;
    const missing = modes.filter((mode) => !(object.spec?.accessModes ?? []).includes(mode));
    if (capacity < requested) {
      reasons.push(
        `it requests ${claim.spec?.resources?.requests?.storage}, but ${manifest.name} offers ${object.spec?.capacity?.storage}`,
      );
    } else if (missing.length > 0) {
      reasons.push(`${manifest.name} does not offer access mode ${missing.join(', ')}`);
    } else if ((object.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) {
      reasons.push(`${manifest.name} has another volumeMode`);
    } else {
      return undefined;
    }
  }
  return reasons.join('; ');
}

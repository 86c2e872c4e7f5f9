import type { IContainer, IPod } from 'kubernetes-models/v1';

export function containersOf(pod: IPod): IContainer[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/**
 * The containers that run as long as the pod: the regular ones, and the native sidecars (init
 * containers with `restartPolicy: Always`, stable since Kubernetes 1.33), which start before
 * them and may serve ports and answer probes like them.
 */
export function longRunningContainersOf(pod: IPod): IContainer[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...sidecars, ...(pod.spec?.containers ?? [])];
}

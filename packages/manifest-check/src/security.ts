import type { IContainer, IPod } from 'kubernetes-models/v1';
import { containersOf, longRunningContainersOf } from './containers.ts';
import { type Manifest, type Problem, problem } from './load.ts';
import { parseQuantity } from './quantity.ts';
import { podsOf } from './references.ts';

/** The user and group every container of this project runs as, as the images declare. */
export const RUN_AS = 1000;

/**
 * The project's rules for every pod: a non-root user with a fixed uid, the runtime's default
 * seccomp profile, no privilege escalation, a read-only root filesystem, no capabilities,
 * requests and limits, and liveness and readiness probes on every long-running container.
 */
export function checkSecurity(manifests: readonly Manifest[]): Problem[] {
  const problems: Problem[] = [];
  for (const { manifest, object: pod } of podsOf(manifests)) {
    const report = (message: string) => problems.push(problem(manifest, message));
    const context = pod.spec?.securityContext;
    if (context?.runAsNonRoot !== true) report('securityContext.runAsNonRoot must be true');
    for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      if (context?.[field] !== RUN_AS) report(`securityContext.${field} must be ${RUN_AS}`);
    }
    if (context?.seccompProfile?.type !== 'RuntimeDefault') {
      report('securityContext.seccompProfile.type must be RuntimeDefault');
    }
    const longRunning = new Set(longRunningContainersOf(pod));
    for (const container of containersOf(pod)) {
      checkContainer(container, longRunning.has(container), report);
    }
    checkMemoryBackedVolumes(pod, report);
  }
  return problems;
}

function checkContainer(container: IContainer, longRunning: boolean, report: (message: string) => void) {
  const name = `container ${container.name}`;
  const context = container.securityContext;
  if (context?.allowPrivilegeEscalation !== false) report(`${name}: allowPrivilegeEscalation must be false`);
  if (context?.readOnlyRootFilesystem !== true) report(`${name}: readOnlyRootFilesystem must be true`);
  if (!context?.capabilities?.drop?.includes('ALL')) report(`${name}: capabilities.drop must include ALL`);
  if ((context?.capabilities?.add ?? []).length > 0) report(`${name}: must not add capabilities`);
  if (context?.privileged === true) report(`${name}: must not be privileged`);
  if (context?.runAsUser !== undefined && context.runAsUser !== RUN_AS) {
    report(`${name}: runs as ${context.runAsUser}, not ${RUN_AS}`);
  }

  const { requests = {}, limits = {} } = container.resources ?? {};
  for (const resource of ['cpu', 'memory']) {
    const request = parseQuantity(requests[resource]);
    const limit = parseQuantity(limits[resource]);
    if (request === undefined) report(`${name}: resources.requests.${resource} is missing`);
    if (limit === undefined) report(`${name}: resources.limits.${resource} is missing`);
    if (request !== undefined && limit !== undefined && request > limit) {
      report(
        `${name}: requests more ${resource} (${requests[resource]}) than its limit (${limits[resource]})`,
      );
    }
  }
  if (longRunning) {
    if (!container.livenessProbe) report(`${name}: has no livenessProbe`);
    if (!container.readinessProbe) report(`${name}: has no readinessProbe`);
  }
}

/**
 * Files in a memory-backed emptyDir are charged to the memory of the container that writes
 * them: a writer's limit must leave room for its own request beside a full volume.
 */
function checkMemoryBackedVolumes(pod: IPod, report: (message: string) => void) {
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.emptyDir?.medium !== 'Memory') continue;
    const size = parseQuantity(volume.emptyDir.sizeLimit);
    if (size === undefined) {
      report(`volume "${volume.name}" is in memory without a sizeLimit: it may take all the pod's memory`);
      continue;
    }
    for (const container of containersOf(pod)) {
      const writes = (container.volumeMounts ?? []).some((m) => m.name === volume.name && !m.readOnly);
      if (!writes) continue;
      const limit = parseQuantity(container.resources?.limits?.memory) ?? 0;
      const request = parseQuantity(container.resources?.requests?.memory) ?? 0;
      if (limit - size < request) {
        report(
          `container ${container.name} writes to the in-memory volume "${volume.name}" (up to ${volume.emptyDir.sizeLimit}): ` +
            `its memory limit ${container.resources?.limits?.memory} leaves less than its request ` +
            `${container.resources?.requests?.memory} beside a full volume`,
        );
      }
    }
  }
}

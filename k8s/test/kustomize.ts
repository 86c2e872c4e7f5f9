// kubectl's built-in kustomize, which renders a variant as `kubectl apply -k` sends it: the tests
// check what is rendered, never the files alone.
import { command, mustRun } from '@fortune-sidecar/testing';

/** Components (k8s/images) need the kustomize that kubectl 1.21 and later have built in. */
const MINIMUM_MINOR = 21;
const INSTALL = 'install kubectl from https://kubernetes.io/docs/tasks/tools/';

/**
 * Whether tests that render with kubectl can run: `false` when they can, or the reason they are
 * skipped. Where FORTUNE_NO_SKIP=1, a missing or too old kubectl is an error instead, as for the
 * other tools the suite needs (skipUnlessAvailable).
 */
export async function skipUnlessKubectl(): Promise<string | false> {
  const version = await command('kubectl', ['version', '--client', '--output=json'], { timeoutMs: 20_000 });
  let reason: string | undefined;
  if (version.code !== 0) {
    reason = `needs kubectl 1.${MINIMUM_MINOR} or newer, with kustomize built in: ${INSTALL}`;
  } else {
    const { major, minor } = JSON.parse(version.stdout).clientVersion as { major: string; minor: string };
    if (Number(major) === 1 && Number.parseInt(minor, 10) < MINIMUM_MINOR) {
      reason = `needs kubectl 1.${MINIMUM_MINOR} or newer, with kustomize built in (this one is ${major}.${minor}): ${INSTALL}`;
    }
  }
  if (reason === undefined) return false;
  if (process.env.FORTUNE_NO_SKIP === '1') throw new Error(`FORTUNE_NO_SKIP=1 but this suite ${reason}`);
  return reason;
}

/** What `kubectl kustomize dir` prints: the objects `kubectl apply -k dir` would send. */
export function kustomize(dir: string): Promise<string> {
  return mustRun('kubectl', ['kustomize', dir]);
}

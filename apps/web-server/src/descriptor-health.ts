import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Logger, ProbeResult } from '@fortune-sidecar/common';

/** EMFILE: this process has used its descriptor limit; ENFILE: the whole node has. */
export function outOfDescriptors(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EMFILE' || error.code === 'ENFILE';
}

/**
 * Whether the process can still open a file. Without a descriptor left, every file answers 404
 * and readiness fails, yet nothing recovers by itself: liveness must fail, so that the kubelet
 * restarts the container, which releases them all. Opening the null device costs one system
 * call on the main thread (no wait behind busy file reads in the thread pool), and any error
 * but running out of descriptors counts as alive: liveness fails only for what a restart cures.
 */
export function canOpenFiles(path = devNull): ProbeResult {
  try {
    closeSync(openSync(path, 'r'));
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (outOfDescriptors(failure))
      return { ok: false, detail: `cannot open files: ${failure.code} (no file descriptor left)` };
  }
  return { ok: true, detail: 'alive' };
}

/**
 * canOpenFiles() for /healthz, with a log line when the process runs out of descriptors and
 * when it has some again: what `kubectl logs --previous` shows after the kubelet restarted it.
 */
export function descriptorHealth(log: Logger, path = devNull): () => ProbeResult {
  let failing = false;
  return () => {
    const result = canOpenFiles(path);
    if (!result.ok && !failing)
      log.error('Cannot open files: /healthz fails until some are closed', { detail: result.detail });
    if (result.ok && failing) log.info('Can open files again');
    failing = !result.ok;
    return result;
  };
}

import { type RunAs, startService } from '@fortune-sidecar/testing';

/**
 * Starts the writer and waits until it has written its first fortune, or has stopped: `exit`
 * says which (undefined while it runs), `lines` is all it printed. A writer that does neither
 * within PATIENCE_MS is killed, and counts as stopped.
 */
export async function startOrRefuse(env: Record<string, string>, user?: RunAs) {
  const writer = startService('fortune-writer', env, [], user);
  const running = await writer.waitForLog('Writing a fortune every').then(
    () => true,
    () => false,
  );
  if (!running && writer.child.exitCode === null && writer.child.signalCode === null) {
    await writer.stop('SIGKILL');
  }
  const exit = running ? undefined : await writer.exited;
  return { writer, exit, lines: writer.output.filter((line) => line.trim() !== '') };
}

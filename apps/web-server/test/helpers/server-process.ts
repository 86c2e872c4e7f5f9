import { type ServiceProcess, startService } from '@fortune-sidecar/testing';

/**
 * Node.js sizes its heap from the memory it may use: in a container limited to 128Mi, as the
 * manifests limit the web server, V8 keeps 1 MB semi-spaces and an old generation of 256 MB
 * that grows 1.3× between collections; on a host with gigabytes free, 16 MB semi-spaces and
 * 4× growth, so the same work leaves more garbage resident. Tests of memory bounds start the
 * server with the container's sizing, given explicitly.
 */
export const HEAP_OF_A_128MI_CONTAINER = { NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=256' };

/** web-server as a process on a free loopback port, serving `root`, and the URL it says it serves on. */
export async function startServerProcess(
  root: string,
  env: Record<string, string> = {},
): Promise<{ server: ServiceProcess; url: URL }> {
  const server = startService('web-server', { WEB_ROOT: root, WEB_PORT: '0', WEB_HOST: '127.0.0.1', ...env });
  const { msg } = await server.waitForLog(/^Serving /);
  return { server, url: new URL(msg.replace(/^.* on /, '')) };
}

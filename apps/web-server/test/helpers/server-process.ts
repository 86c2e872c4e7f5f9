import { type ServiceProcess, startService } from '@fortune-sidecar/testing';

export { HEAP_OF_A_128MI_CONTAINER } from '@fortune-sidecar/testing';

/** web-server as a process on a free loopback port, serving `root`, and the URL it says it serves on. */
export async function startServerProcess(
  root: string,
  env: Record<string, string> = {},
): Promise<{ server: ServiceProcess; url: URL }> {
  const server = startService('web-server', { WEB_ROOT: root, WEB_PORT: '0', WEB_HOST: '127.0.0.1', ...env });
  const { url } = await server.waitForLog(/^Serving /);
  return { server, url: new URL(String(url)) };
}

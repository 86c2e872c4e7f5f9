import { type ServiceProcess, startService } from '@fortune-sidecar/testing';

export { HEAP_OF_A_128MI_CONTAINER } from '@fortune-sidecar/testing';

/**
 * web-server as a process on a free loopback port, serving `root`, and the URL it says it serves
 * on. Its request timeout is one no request of a test meets, however slowly a busy machine lets
 * the client send it (the timeout counts from the connection, not from the first byte); the tests
 * of the timeout set their own.
 */
export async function startServerProcess(
  root: string,
  env: Record<string, string> = {},
): Promise<{ server: ServiceProcess; url: URL }> {
  const server = startService('web-server', {
    WEB_ROOT: root,
    WEB_PORT: '0',
    WEB_HOST: '127.0.0.1',
    WEB_REQUEST_TIMEOUT: '10m',
    ...env,
  });
  const { url } = await server.waitForLog(/^Serving /);
  return { server, url: new URL(String(url)) };
}

import type { ServiceProcess } from '@fortune-sidecar/testing';
import { httpGet } from '@fortune-sidecar/testing';

/** The port of git-sync's health server (GITSYNC_HTTP_PORT=0 picks one), from its start-up log line. */
export async function healthPort(gitSync: ServiceProcess): Promise<number> {
  const { url } = await gitSync.waitForLog(/^Health endpoints on /);
  return Number(new URL(String(url)).port);
}

/** A health path's status and one-line body. */
export async function probe(
  port: number,
  path: '/healthz' | '/readyz',
): Promise<{ status: number; body: string }> {
  const { status, body } = await httpGet(`http://127.0.0.1:${port}/`, path);
  return { status, body: body.trim() };
}

import assert from 'node:assert/strict';
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

/**
 * The failures in a row that a /healthz body counts. Read after the log said "Sync failed (n in
 * a row)", it is at least n: the next attempt may have failed too before the probe was answered.
 */
export function failuresInARow(body: string): number {
  const [, count] = /^(\d+) failed syncs in a row/.exec(body) ?? [];
  assert.ok(count !== undefined, `not a /healthz body: ${body}`);
  return Number(count);
}

import assert from 'node:assert/strict';
import { type RawAnswer, rawRequest } from '@fortune-sidecar/testing';
import { SECURITY_HEADERS } from '../../src/security-headers.ts';

/**
 * A GET (or HEAD) sent byte for byte with the headers given, one request to a connection; checks
 * that the answer carries the security headers, as every answer must, whatever its status.
 */
export async function rawGet(
  port: number,
  target: string,
  headers: readonly string[] = [],
  method: 'GET' | 'HEAD' = 'GET',
): Promise<RawAnswer> {
  const lines = headers.map((header) => `${header}\r\n`).join('');
  const answer = await rawRequest(
    port,
    `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${lines}Connection: close\r\n\r\n`,
  );
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assert.equal(answer.headers[name], value, `${name} on a ${answer.status}`);
  }
  return answer;
}

/** The names of an answer's headers but those every answer has, sorted. */
export function headerNames(answer: RawAnswer): string[] {
  const always = new Set([...Object.keys(SECURITY_HEADERS), 'date', 'connection']);
  return Object.keys(answer.headers)
    .filter((name) => !always.has(name))
    .sort();
}

// scripts/audit.mjs (pnpm run audit) against a local server standing in for the registry's bulk
// advisory endpoint, with the workspace's real production package list.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { command, REPO_ROOT } from '@fortune-sidecar/testing';

type Body = Record<string, string[]>;
type Handler = (body: Body, response: ServerResponse) => void;

const ENDPOINT = '/-/npm/v1/security/advisories/bulk';
let handler: Handler = (_body, response) => response.writeHead(500).end();
const requests: { method: string; url: string; body: Body }[] = [];

const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  let text = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    text += chunk;
  });
  request.on('end', () => {
    const body = (text ? JSON.parse(text) : {}) as Body;
    requests.push({ method: request.method ?? '', url: request.url ?? '', body });
    if (request.method !== 'POST' || request.url !== ENDPOINT) {
      response.writeHead(404).end();
      return;
    }
    handler(body, response);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

async function audit() {
  requests.length = 0;
  return command(process.execPath, [join(REPO_ROOT, 'scripts', 'audit.mjs')], {
    env: { ...process.env, FORTUNE_AUDIT_REGISTRY: registry },
  });
}

const json = (response: ServerResponse, value: unknown) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));

/** The package@version pairs the script sent, over all its requests. */
const sent = () =>
  requests.flatMap(({ body }) => Object.entries(body).flatMap(([n, vs]) => vs.map((v) => `${n}@${v}`)));

describe('pnpm run audit (scripts/audit.mjs)', () => {
  it('lists the vulnerabilities of high or critical severity and exits 1', async () => {
    handler = (body, response) => {
      const answer: Record<string, unknown[]> = {};
      if (body.express)
        answer.express = [
          {
            id: 1001,
            url: 'https://github.com/advisories/GHSA-test-expr-0001',
            title: 'Open redirect',
            severity: 'high',
            vulnerable_versions: '<99',
          },
        ];
      if (body['node-cron'])
        answer['node-cron'] = [
          {
            id: 1002,
            url: 'https://github.com/advisories/GHSA-test-cron-0002',
            title: 'Code injection',
            severity: 'critical',
            vulnerable_versions: '<99',
          },
          {
            id: 1003,
            url: 'https://github.com/advisories/GHSA-test-cron-0003',
            title: 'Slow pattern',
            severity: 'moderate',
            vulnerable_versions: '<99',
          },
        ];
      json(response, answer);
    };
    const result = await audit();
    assert.equal(result.code, 1, result.stderr);
    const express = sent().find((pair) => pair.startsWith('express@'));
    const cron = sent().find((pair) => pair.startsWith('node-cron@'));
    assert.ok(express && cron, `sent ${sent().join(' ')}`);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^2 known vulnerabilities of high or critical severity in \d+ production packages \(1 of lower severity not listed\):$/,
    );
    assert.deepEqual(lines.slice(1), [
      `${express}  high  https://github.com/advisories/GHSA-test-expr-0001 Open redirect`,
      `${cron}  critical  https://github.com/advisories/GHSA-test-cron-0002 Code injection`,
    ]);
  });

  it('says none are known and exits 0, having sent the production packages only', async () => {
    handler = (_body, response) => json(response, {});
    const result = await audit();
    assert.equal(result.code, 0, result.stderr);
    const pairs = new Set(sent());
    assert.equal(
      result.stdout,
      `no known vulnerabilities of high or critical severity in ${pairs.size} production packages\n`,
    );
    const names = new Set([...pairs].map((pair) => pair.replace(/@[^@]*$/, '')));
    // Run-time dependencies of the apps and their own dependencies...
    for (const name of ['express', 'node-cron', 'fortune-cookie', 'mime-types'])
      assert.ok(names.has(name), `${name} not sent`);
    // ...not the development dependencies, nor the workspace's own packages.
    for (const name of ['@biomejs/biome', 'tsx', '@types/node', '@types/express', '@fortune-sidecar/common'])
      assert.ok(!names.has(name), `${name} sent`);
  });

  for (const status of [404, 405]) {
    it(`when the endpoint answers ${status}, says so in one line and exits 2`, async () => {
      handler = (_body, response) => response.writeHead(status, { allow: 'GET, HEAD' }).end();
      const result = await audit();
      assert.equal(result.code, 2, result.stdout);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0] ?? '',
        new RegExp(
          `^audit: ${registry}-/npm/v1/security/advisories/bulk answered ${status} .*; registry\\.npmjs\\.org answers it: run FORTUNE_AUDIT_REGISTRY=https://registry\\.npmjs\\.org/ pnpm run audit$`,
        ),
      );
    });
  }

  it('when the registry cannot be reached, says so in one line and exits 2', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await command(process.execPath, [join(REPO_ROOT, 'scripts', 'audit.mjs')], {
      env: { ...process.env, FORTUNE_AUDIT_REGISTRY: `http://127.0.0.1:${port}/` },
    });
    assert.equal(result.code, 2, result.stdout);
    assert.equal(
      result.stderr,
      `audit: could not reach http://127.0.0.1:${port}/-/npm/v1/security/advisories/bulk (ECONNREFUSED); registry.npmjs.org answers it: run FORTUNE_AUDIT_REGISTRY=https://registry.npmjs.org/ pnpm run audit\n`,
    );
  });
});

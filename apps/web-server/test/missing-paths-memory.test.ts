// Requests for paths that do not exist, each a new one, as a scanner sends them: the server
// keeps no entry for a 404, so they cost it no memory, however many come. The server runs
// with the heap Node.js sizes for the web server's container (128Mi in every manifest).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEAP_OF_A_128MI_CONTAINER, resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { keepAliveLoad } from './helpers/keep-alive-load.ts';
import { idleRss, memoryOf } from './helpers/process-resources.ts';
import { startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);
const CONNECTIONS = 8;

describe('the running server asked for paths that do not exist', () => {
  it('keeps nothing for them: 100,000 distinct missing paths add under 50 MB to its memory', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.txt'), 'A fortune.\n');
    const { server, url } = await startServerProcess(root, HEAP_OF_A_128MI_CONTAINER);
    const paths = 100_000;
    const statuses = await keepAliveLoad(url, (i) => `/a${i}`, { count: paths, connections: CONNECTIONS });
    assert.deepEqual(statuses, { 404: paths });
    const { rss } = await memoryOf(server.child.pid as number);
    const before = await idleRss(HEAP_OF_A_128MI_CONTAINER);
    bounds.push({
      tried: `${paths.toLocaleString('en')} distinct missing paths (/a0, /a1, …) over ${CONNECTIONS} keep-alive connections`,
      bound: 'RSS grows by under 50 MB over the idle server',
      measured: `${rss.toFixed(0)} MB (idle ${before.toFixed(0)} MB)`,
    });
    assert.ok(rss - before < 50, `RSS ${rss.toFixed(1)} MB, idle ${before.toFixed(1)} MB`);
  });
});

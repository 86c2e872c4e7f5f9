// The response cache in the running server, against request mixes that once grew it without
// bound: every spelling of one path its own entry, and every distinct path served an entry
// whose real cost was far above the bytes counted. The server runs with the heap Node.js sizes
// for the web server's container (128Mi in every manifest), and must stay well inside it.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEAP_OF_A_128MI_CONTAINER, resourceBounds, tempDir } from '@fortune-sidecar/testing';
import { keepAliveLoad } from './helpers/keep-alive-load.ts';
import { idleRss, memoryOf } from './helpers/process-resources.ts';
import { startServerProcess } from './helpers/server-process.ts';

const bounds = resourceBounds('web-server', import.meta.url);
const CONNECTIONS = 8;

/** `/index.txt` spelled the `i`-th way: each letter as itself, %xx or %XX, after 1 to n slashes. */
function spelling(i: number): string {
  let rest = i;
  let name = '';
  for (const letter of 'index.txt') {
    const hex = letter.charCodeAt(0).toString(16);
    const way = rest % 3;
    rest = Math.floor(rest / 3);
    name += way === 0 ? letter : way === 1 ? `%${hex}` : `%${hex.toUpperCase()}`;
  }
  return `${'/'.repeat(1 + rest)}${name}`;
}

describe('the response cache in the running server', () => {
  it('keeps one entry for every spelling of a path: 150,000 spellings add under 30 MB to its memory', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'index.txt'), 'A fortune.\n');
    const { server, url } = await startServerProcess(root, HEAP_OF_A_128MI_CONTAINER);
    const spellings = 150_000;
    const statuses = await keepAliveLoad(url, spelling, { count: spellings, connections: CONNECTIONS });
    assert.deepEqual(statuses, { 200: spellings }, 'every spelling names the file');
    const { rss } = await memoryOf(server.child.pid as number);
    const before = await idleRss(HEAP_OF_A_128MI_CONTAINER);
    bounds.push({
      tried: `${spellings.toLocaleString('en')} spellings of one path (/%69ndex.txt, //index.txt, …) over ${CONNECTIONS} keep-alive connections`,
      bound: 'RSS grows by under 30 MB over the idle server',
      measured: `${rss.toFixed(0)} MB (idle ${before.toFixed(0)} MB)`,
    });
    assert.ok(rss - before < 30, `RSS ${rss.toFixed(1)} MB, idle ${before.toFixed(1)} MB`);
  });

  it('keeps at most its entry cap: 20,000 distinct files served add under 50 MB to its memory', async () => {
    const root = await tempDir();
    const folders = 20;
    const perFolder = 1000;
    for (let folder = 0; folder < folders; folder += 1) {
      await mkdir(join(root, `f${folder}`));
      await Promise.all(
        Array.from({ length: perFolder }, (_, page) =>
          writeFile(join(root, `f${folder}`, `${page}.html`), `<p>page ${page} of ${folder}</p>\n`),
        ),
      );
    }
    const files = folders * perFolder;
    const { server, url } = await startServerProcess(root, HEAP_OF_A_128MI_CONTAINER);
    const statuses = await keepAliveLoad(url, (i) => `/f${i % folders}/${Math.floor(i / folders)}.html`, {
      count: files,
      connections: CONNECTIONS,
    });
    assert.deepEqual(statuses, { 200: files });
    const { rss } = await memoryOf(server.child.pid as number);
    const before = await idleRss(HEAP_OF_A_128MI_CONTAINER);
    bounds.push({
      tried: `${files.toLocaleString('en')} distinct small files, each asked for once, over ${CONNECTIONS} keep-alive connections`,
      bound: 'RSS grows by under 50 MB over the idle server',
      measured: `${rss.toFixed(0)} MB (idle ${before.toFixed(0)} MB)`,
    });
    assert.ok(rss - before < 50, `RSS ${rss.toFixed(1)} MB, idle ${before.toFixed(1)} MB`);
  });
});

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { closeServer, createLogger, LIVE_UPDATE_PATHS, listen } from '@fortune-sidecar/common';
import {
  type EventStream,
  eventually,
  httpGet,
  openEventStream,
  PATIENCE_MS,
  rawRequest,
  tempDir,
} from '@fortune-sidecar/testing';
import { createApp } from '../src/app.ts';
import { createLiveUpdates, type LiveUpdatesOptions } from '../src/live-updates.ts';
import { SECURITY_HEADERS } from '../src/security-headers.ts';
import { createWebServer } from '../src/server.ts';
import { createSite } from '../src/site.ts';

const root = await tempDir();
await writeFile(join(root, 'index.html'), '<p>page</p>\n');
const stops: (() => Promise<void>)[] = [];
after(() => Promise.all(stops.map((stop) => stop())));

/**
 * The whole server, with a request timeout far shorter than a live page stays open, and far
 * longer than a busy machine holds a request back between the connection, from which the
 * timeout counts, and its first bytes.
 */
async function serve(options: LiveUpdatesOptions = {}) {
  const live = createLiveUpdates(options);
  const app = createApp({
    site: createSite(root),
    live,
    log: createLogger({ format: 'text', write: () => {} }),
    health: { alive: () => ({ ok: true, detail: 'alive' }), ready: () => ({ ok: true, detail: 'ready' }) },
  });
  const server = createWebServer(app, 5000);
  const url = await listen(server, 0, '127.0.0.1');
  stops.push(async () => {
    live.close();
    // Whatever a failed test left open: the test file must end all the same.
    server.closeAllConnections();
    await closeServer(server);
  });
  return { live, url, server };
}

/**
 * Lets `ms` go by on the mock timers a millisecond at a time: a timer then fires with the mock
 * Date at its own time, not at the end of one long tick.
 */
function pass(t: TestContext, ms: number) {
  for (let step = 0; step < ms; step += 1) t.mock.timers.tick(1);
}

/** Every change event a stream received, by the time it says it was sent. */
const changesIn = (stream: EventStream) =>
  stream.messages.filter((message) => message.event === 'change').map((message) => message.data);

// Streams that should end by themselves fail after PATIENCE_MS rather than hang the run.
describe('live updates of open pages', { timeout: PATIENCE_MS }, () => {
  it('opens a stream of Server-Sent Events that outlives the request timeout', async () => {
    const { live, url } = await serve();
    const stream = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    assert.equal(stream.status, 200);
    assert.equal(stream.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(stream.headers['cache-control'], 'no-cache, no-transform');
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(stream.headers[name], value, name);
    assert.match((await stream.next('comment')).data, /^retry: 2000$/m);
    // A connection opened after the stream and cut at the request timeout: by then the stream
    // has been open longer than that timeout.
    assert.equal((await rawRequest(Number(url.port), [])).status, 408);
    live.changed();
    await stream.next('change');
    stream.close();
  });

  // On mock timers from 0 ms, and a mock Date with them: an event says when it was sent.
  it('sends one event for a burst of changes, once the last of them settles', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
    const { live, url } = await serve({ settleMs: 200, maxDelayMs: 2000 });
    const stream = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    await stream.next('comment');
    for (let change = 0; change < 5; change += 1) {
      live.changed();
      pass(t, 5);
    }
    pass(t, 2000);
    live.close();
    await stream.ended;
    // The last change came at 20 ms: its event, 200 ms later, is the only one.
    assert.deepEqual(changesIn(stream), [new Date(220).toISOString()]);
  });

  it('still sends events while the folder never stops changing', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
    const { live, url } = await serve({ settleMs: 50, maxDelayMs: 120 });
    const stream = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    await stream.next('comment');
    // A change every 10 ms never settles for 50 ms.
    for (let ms = 0; ms < 250; ms += 10) {
      live.changed();
      pass(t, 10);
    }
    live.close();
    await stream.ended;
    assert.deepEqual(changesIn(stream), [new Date(120).toISOString(), new Date(240).toISOString()]);
  });

  it('tells every open page', async () => {
    const { live, url } = await serve();
    const streams = await Promise.all([1, 2, 3].map(() => openEventStream(url, LIVE_UPDATE_PATHS.events)));
    await Promise.all(streams.map((stream) => stream.next('comment')));
    assert.equal(live.clients(), 3);
    live.changed();
    await Promise.all(streams.map((stream) => stream.next('change')));
    streams[0]?.close();
    await eventually(() => (live.clients() === 2 ? true : undefined), { what: 'a closed page forgotten' });
    for (const stream of streams) stream.close();
  });

  it('keeps an idle stream alive with comments, for proxies that close silent connections', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const { live, url } = await serve({ heartbeatMs: 50 });
    const stream = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    await stream.next('comment');
    pass(t, 50);
    live.close();
    await stream.ended;
    assert.deepEqual(
      stream.messages.map((message) => message.data),
      ['retry: 2000\n: connected', ': still here'],
    );
  });

  it('past the most open pages, tells a browser to come back in 10 s, and serves it once one closes', async () => {
    const { live, url } = await serve({ maxClients: 2 });
    const open = [
      await openEventStream(url, LIVE_UPDATE_PATHS.events),
      await openEventStream(url, LIVE_UPDATE_PATHS.events),
    ];
    // Not an error status: a browser's EventSource would never reconnect after one.
    const turnedAway = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    assert.equal(turnedAway.status, 200);
    await turnedAway.ended;
    assert.match(turnedAway.messages[0]?.data ?? '', /^retry: 10000$/m);
    open[0]?.close();
    await eventually(() => (live.clients() === 1 ? true : undefined), { what: 'a closed page forgotten' });
    const third = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    assert.match((await third.next('comment')).data, /^retry: 2000$/m);
    live.changed();
    await third.next('change');
    third.close();
    open[1]?.close();
  });

  it('after close, turns new pages away to try again later instead of holding the server open', async () => {
    const { live, url } = await serve();
    live.close();
    const late = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    await late.ended;
    assert.match(late.messages[0]?.data ?? '', /^retry: 10000$/m);
  });

  // An open stream keeps the server from closing until it ends: nothing else would end it.
  it('ends every stream on close, so the server can stop', async () => {
    const { live, url, server } = await serve();
    const stream = await openEventStream(url, LIVE_UPDATE_PATHS.events);
    await stream.next('comment');
    live.close();
    await Promise.all([stream.ended, closeServer(server)]);
  });

  it('answers HEAD with the headers only, and refuses other methods', async () => {
    const { url } = await serve();
    const head = await httpGet(url, LIVE_UPDATE_PATHS.events, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'text/event-stream; charset=utf-8');
    const post = await httpGet(url, LIVE_UPDATE_PATHS.events, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('serves the script pages include, with an ETag and 304, under the same policy', async () => {
    const { url } = await serve();
    const script = await httpGet(url, LIVE_UPDATE_PATHS.script);
    assert.equal(script.status, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(script.body, /new EventSource\(EVENTS\)/);
    assert.match(script.body, new RegExp(`const EVENTS = '${LIVE_UPDATE_PATHS.events}'`));
    assert.equal(script.headers['content-security-policy'], SECURITY_HEADERS['content-security-policy']);
    const etag = String(script.headers.etag);
    const again = await httpGet(url, LIVE_UPDATE_PATHS.script, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  it('never lets a site file take the reserved paths, nor the reserved paths show site files', async () => {
    await writeFile(join(root, '.live'), 'a dotfile in the site\n');
    const { url } = await serve();
    assert.equal((await httpGet(url, '/.live')).status, 404);
    assert.equal((await httpGet(url, '/.live/other')).status, 404);
  });
});

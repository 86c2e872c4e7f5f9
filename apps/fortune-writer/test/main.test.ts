import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually, httpGet, runToExit, startService, tempDir } from '@fortune-sidecar/testing';
import { configMapVolume } from './helpers/configmap-volume.ts';
import { downwardApiVolume } from './helpers/downward-api-volume.ts';

describe('fortune-writer as a process', () => {
  it('writes a fortune at start and a new one every interval', async () => {
    const dir = await tempDir();
    const writer = startService('fortune-writer', { FORTUNE_DIR: dir, FORTUNE_INTERVAL: '200ms' });
    await writer.waitForLog(`Writing fortune to ${dir}/index.html`);
    const first = await eventually(() => readFile(join(dir, 'index.txt'), 'utf8'), {
      what: 'the first fortune',
    });
    await eventually(
      async () => ((await readFile(join(dir, 'index.txt'), 'utf8')) !== first ? true : undefined),
      { what: 'a new fortune' },
    );
    assert.ok(writer.logs().some((line) => line.msg === 'Writing a fortune every 200ms'));
  });

  it('removes the temporary files a killed writer left, and no other files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.fortune-writer-index.html-0123456789ab.tmp'), 'half a pa');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const writer = startService('fortune-writer', { FORTUNE_DIR: dir });
    await writer.waitForLog(
      'Removed .fortune-writer-index.html-0123456789ab.tmp, left by an interrupted write',
    );
    await writer.waitForLog('Writing a fortune every 10s');
    assert.deepEqual((await readdir(dir)).sort(), [
      '.fortune-writer.lock',
      'history.json',
      'index.html',
      'index.txt',
      'notes.txt',
      'style.css',
      'volume.json',
    ]);
  });

  // Exit code 0 from its own shutdown: one that hung would end at its time limit with 1.
  // Between two writes: on a busy machine a write in progress can outlast that limit by itself
  // (waiting for it is the schedule's, tested on mock timers).
  it('stops on SIGTERM: says so, gives its lock and temporary files up, and exits 0 by itself', async () => {
    const dir = await tempDir();
    const writer = startService('fortune-writer', { FORTUNE_DIR: dir, FORTUNE_INTERVAL: '1h' });
    await writer.waitForLog('Writing a fortune every 1h');
    const exit = await writer.stop('SIGTERM');
    assert.deepEqual([exit.code, exit.signal], [0, null]);
    assert.ok(writer.logs().some((line) => line.msg === 'SIGTERM received, shutting down'));
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('.')),
      [],
    );
  });

  it('stops on SIGINT (Ctrl-C) the same way', async () => {
    const writer = startService('fortune-writer', { FORTUNE_DIR: await tempDir(), FORTUNE_INTERVAL: '1h' });
    await writer.waitForLog('Writing a fortune every');
    assert.equal((await writer.stop('SIGINT')).code, 0);
  });

  it('answers its health endpoints when given a port', async () => {
    const writer = startService('fortune-writer', { FORTUNE_DIR: await tempDir(), FORTUNE_HTTP_PORT: '0' });
    const listening = new URL(String((await writer.waitForLog('Health endpoints on')).url));
    const url = new URL(`http://127.0.0.1:${listening.port}/`);
    await writer.waitForLog('Writing a fortune every');
    assert.equal((await httpGet(url, '/healthz')).status, 200);
    const ready = await httpGet(url, '/readyz');
    assert.deepEqual([ready.status, ready.body], [200, '1 fortunes written\n']);
  });

  it('shows on the page the pod, node and volume variant Kubernetes passes in', async () => {
    const dir = await tempDir();
    const writer = startService('fortune-writer', {
      FORTUNE_DIR: dir,
      POD_NAME: 'fortune',
      NODE_NAME: 'k3d-agent-0',
      FORTUNE_VARIANT: 'hostpath',
    });
    await writer.waitForLog('Writing a fortune every');
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    assert.match(page, /<dt>By<\/dt><dd>fortune<\/dd>/);
    assert.match(page, /<dt>On node<\/dt><dd>k3d-agent-0<\/dd>/);
    assert.match(page, /<dt>Volume<\/dt><dd><code>hostpath<\/code>, a hostPath/);
  });

  it('warns about a misspelled FORTUNE_ variable', async () => {
    const writer = startService('fortune-writer', { FORTUNE_DIR: await tempDir(), FORTUNE_INTERVALL: '1s' });
    const warning = await writer.waitForLog('Ignoring unknown variables');
    assert.equal(warning.variables, 'FORTUNE_INTERVALL');
  });

  it('writes fortunes from FORTUNE_LIST_FILE, and says how many it holds', async () => {
    const dir = await tempDir();
    const list = join(await tempDir(), 'fortunes.txt');
    await writeFile(list, 'From the list.\nAlso from the list.\n');
    const writer = startService('fortune-writer', { FORTUNE_DIR: dir, FORTUNE_LIST_FILE: list });
    const using = await writer.waitForLog(`Using 2 fortunes from ${list}`);
    assert.equal(using.fortunes, 2);
    await writer.waitForLog('Writing a fortune every');
    assert.match(await readFile(join(dir, 'index.txt'), 'utf8'), /^(Also f|F)rom the list\.\n$/);
  });

  it('writes from the new list once the ConfigMap volume holding FORTUNE_LIST_FILE is updated, without a restart', async () => {
    const dir = await tempDir();
    const volume = await configMapVolume('Old one.\nOld two.\n');
    const writer = startService('fortune-writer', {
      FORTUNE_DIR: dir,
      FORTUNE_LIST_FILE: volume.path,
      FORTUNE_INTERVAL: '100ms',
    });
    await writer.waitForLog(`Using 2 fortunes from ${volume.path}`);
    await volume.publish('The new list.\n');
    await writer.waitForLog(`Using 1 fortune from ${volume.path}`);
    await eventually(
      async () => ((await readFile(join(dir, 'index.txt'), 'utf8')) === 'The new list.\n' ? true : undefined),
      { what: 'a fortune from the new list' },
    );
  });

  it("shows the pod's labels from a downwardAPI volume: after the kubelet swaps ..data, the next page has the new label, and the environment's value stays", async () => {
    const dir = await tempDir();
    const volume = await downwardApiVolume({
      labels: { 'fortune-sidecar/color': 'blue', app: 'fortune' },
      annotations: { note: 'first' },
    });
    const writer = startService('fortune-writer', {
      FORTUNE_DIR: dir,
      FORTUNE_INTERVAL: '100ms',
      FORTUNE_POD_INFO_DIR: volume.dir,
      FORTUNE_LABEL: 'fortune-sidecar/color',
      FORTUNE_LABEL_AT_START: 'blue',
    });
    const showing = await writer.waitForLog(`Showing 2 labels and 1 annotation from ${volume.dir}`);
    assert.deepEqual([showing.labels, showing.annotations], [2, 1]);
    await writer.waitForLog('Writing a fortune every');
    const page = () => readFile(join(dir, 'index.html'), 'utf8');
    assert.match(
      await page(),
      /in the volume now: <strong>blue<\/strong> \/ in the environment since start: <strong>blue<\/strong><\/p>/,
    );
    // What `kubectl label pod fortune --overwrite fortune-sidecar/color=green` leads the kubelet to write.
    await volume.publish({
      labels: { 'fortune-sidecar/color': 'green', app: 'fortune' },
      annotations: { note: 'first' },
    });
    await writer.waitForLog(`Showing 2 labels and 1 annotation from ${volume.dir}`);
    const changed = await eventually(
      async () => {
        const text = await page();
        return text.includes('<dt>fortune-sidecar/color</dt><dd>green</dd>') ? text : undefined;
      },
      { what: 'a page with the new label' },
    );
    assert.match(
      changed,
      /in the volume now: <strong>green<\/strong> \/ in the environment since start: <strong>blue<\/strong>/,
    );
  });

  it('refuses to start with a FORTUNE_POD_INFO_DIR it cannot read: exit 2 and a message naming the variable', async () => {
    const exit = await runToExit('fortune-writer', {
      FORTUNE_DIR: await tempDir(),
      FORTUNE_POD_INFO_DIR: await tempDir(),
    });
    assert.equal(exit.code, 2);
    assert.match(
      exit.output,
      /^fortune-writer: FORTUNE_POD_INFO_DIR="[^"]+" is not valid \(neither labels nor annotations in it\): expected an absolute path to a readable folder/,
    );
  });

  it('says at start how many fortunes fortune-cookie holds when no list file is set', async () => {
    const writer = startService('fortune-writer', { FORTUNE_DIR: await tempDir() });
    await writer.waitForLog(/^Using \d+ fortunes from fortune-cookie$/);
  });

  it('refuses to start with a FORTUNE_LIST_FILE that holds no fortune: exit 2 and a message naming the variable', async () => {
    const list = join(await tempDir(), 'fortunes.txt');
    await writeFile(list, '\n');
    const exit = await runToExit('fortune-writer', { FORTUNE_DIR: await tempDir(), FORTUNE_LIST_FILE: list });
    assert.equal(exit.code, 2);
    assert.ok(
      exit.output.startsWith(
        `fortune-writer: FORTUNE_LIST_FILE=${JSON.stringify(list)} is not valid (no fortunes in it): expected an absolute path`,
      ),
      exit.output,
    );
  });

  const badSettings: [Record<string, string>, string][] = [
    [
      { FORTUNE_INTERVAL: 'soon' },
      'FORTUNE_INTERVAL="soon" is not valid: expected a duration such as 500ms, 10s, 1m or 1h',
    ],
    [{ FORTUNE_INTERVAL: '5ms' }, 'FORTUNE_INTERVAL="5ms" is not valid (out of range)'],
    [{ FORTUNE_INTERVAL: '' }, 'FORTUNE_INTERVAL is set but empty'],
    [{ FORTUNE_SCHEDULE: '* * *' }, 'FORTUNE_SCHEDULE="* * *" is not valid'],
    [
      { FORTUNE_SCHEDULE: '*/5 * * * * *', FORTUNE_INTERVAL: '1s' },
      'expected either FORTUNE_SCHEDULE or FORTUNE_INTERVAL, not both',
    ],
    [
      { FORTUNE_HISTORY: '0' },
      'FORTUNE_HISTORY="0" is not valid (out of range): expected a whole number from 1 to 1000',
    ],
    [{ FORTUNE_DIR: 'html' }, 'FORTUNE_DIR="html" is not valid (relative): expected an absolute path'],
    [{ FORTUNE_HTTP_PORT: '65536' }, 'FORTUNE_HTTP_PORT="65536" is not valid (out of range)'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT="xml" is not valid: expected one of text, json'],
    [
      { FORTUNE_LIST_FILE: '/nonexistent/fortunes.txt' },
      'FORTUNE_LIST_FILE="/nonexistent/fortunes.txt" is not valid (no such file): expected an absolute path to a readable UTF-8 text file with one fortune per line',
    ],
    [{ FORTUNE_LIST_FILE: '/dev/null' }, 'FORTUNE_LIST_FILE="/dev/null" is not valid (not a file)'],
  ];
  for (const [env, message] of badSettings) {
    it(`refuses to start with ${JSON.stringify(env)}: exit 2 and a message naming the variable`, async () => {
      const exit = await runToExit('fortune-writer', { FORTUNE_DIR: await tempDir(), ...env });
      assert.equal(exit.code, 2);
      assert.ok(exit.output.startsWith('fortune-writer: '), exit.output);
      assert.ok(exit.output.includes(message), exit.output);
    });
  }
});

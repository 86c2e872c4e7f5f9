import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '@fortune-sidecar/common';
import { tempDir } from '@fortune-sidecar/testing';
import { POD_INFO_MAX_BYTES, parsePodMap, podInfoFolder, readPodInfo, unquoteGo } from '../src/pod-info.ts';
import { downwardApiVolume, formatPodMap } from './helpers/downward-api-volume.ts';

describe("the downward API's labels and annotations files", () => {
  it('reads Go quoting as strconv.Quote writes it: \\" \\\\ \\n \\t, \\x bytes, \\u and \\U', () => {
    assert.equal(unquoteGo('"blue"'), 'blue');
    assert.equal(unquoteGo('""'), '');
    assert.equal(unquoteGo('"say \\"hi\\" \\\\ now"'), 'say "hi" \\ now');
    assert.equal(unquoteGo('"one\\ntwo\\tthree\\r\\a\\b\\f\\v"'), 'one\ntwo\tthree\r\x07\b\f\v');
    assert.equal(unquoteGo('"\\x00\\x1f\\x7f"'), '\x00\x1f\x7f');
    assert.equal(unquoteGo('"\\u00e9t\\u00e9 \\U0001f600"'), 'été 😀');
    // Printable characters outside ASCII are written as they are.
    assert.equal(unquoteGo('"été 😀 <b>"'), 'été 😀 <b>');
    // Go writes each byte that is not UTF-8 as \x: decoded as UTF-8, it becomes U+FFFD.
    assert.equal(unquoteGo('"a\\xffb"'), 'a\ufffdb');
    assert.equal(unquoteGo('"\\303\\251"'), 'é');
    assert.equal(unquoteGo('"\\xc3\\xa9"'), 'é');
  });

  it('refuses what Go would not read', () => {
    for (const bad of [
      'blue',
      '"blue',
      'blue"',
      '"a"b"',
      '"\\q"',
      '"\\x4"',
      '"\\u12"',
      '"\\ud800"',
      '"\\\'"',
      '"a\\"',
      '"\\400"',
    ]) {
      assert.throws(() => unquoteGo(bad), Error, bad);
    }
  });

  it('holds one key="value" per line, sorted by key, the value possibly holding = and quotes', () => {
    const text = formatPodMap({
      'fortune-sidecar/variant': 'downwardapi',
      app: 'fortune',
      note: 'a="b"\nsecond line',
    });
    assert.equal(
      text,
      'app="fortune"\nfortune-sidecar/variant="downwardapi"\nnote="a=\\"b\\"\\nsecond line"',
    );
    assert.deepEqual(parsePodMap(text), [
      ['app', 'fortune'],
      ['fortune-sidecar/variant', 'downwardapi'],
      ['note', 'a="b"\nsecond line'],
    ]);
    assert.deepEqual(parsePodMap(''), []);
    assert.deepEqual(parsePodMap('b="2"\na="1"\n'), [
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('says which line is wrong', () => {
    assert.throws(() => parsePodMap('app="fortune"\ncolor=blue'), /line 2: not a double-quoted string/);
    assert.throws(() => parsePodMap('no equals sign'), /line 1 is not key="value"/);
    assert.throws(() => parsePodMap('="x"'), /line 1 is not key="value"/);
  });

  it('reads a folder with either file, and lists its files with their modes, not the kubelet links', async () => {
    const volume = await downwardApiVolume({ labels: { color: 'blue' }, annotations: undefined });
    const info = readPodInfo(volume.dir);
    assert.deepEqual(info.labels, [['color', 'blue']]);
    assert.equal(info.annotations, undefined);
    assert.deepEqual(
      info.files.map((file) => file.name),
      ['labels'],
      'the link annotations leads nowhere in this version',
    );
  });

  it('refuses a folder it cannot use, saying why', async () => {
    const empty = await tempDir();
    assert.throws(() => readPodInfo(empty), /neither labels nor annotations in it/);
    assert.throws(() => readPodInfo(join(empty, 'none')), /no such file/);
    await writeFile(join(empty, 'labels'), 'color=blue');
    assert.throws(() => readPodInfo(empty), /labels: line 1: not a double-quoted string/);
    assert.throws(() => readPodInfo(join(empty, 'labels')), /not a folder/);
    const nested = await tempDir();
    await mkdir(join(nested, 'labels'));
    assert.throws(() => readPodInfo(nested), /labels: not a file/);
    const huge = await tempDir();
    await writeFile(join(huge, 'labels'), `a="${'x'.repeat(POD_INFO_MAX_BYTES)}"\n`);
    assert.throws(() => readPodInfo(huge), /labels: larger than 1 MiB/);
    const fifo = await tempDir();
    execFileSync('mkfifo', [join(fifo, 'labels')]);
    assert.throws(() => readPodInfo(fifo), /labels: not a file/);
  });

  it('after the kubelet swaps ..data, the next read has the new labels; a version it cannot read keeps the last good one with one warning', async () => {
    const volume = await downwardApiVolume({ labels: { color: 'blue' }, annotations: { note: 'x' } });
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line), now: () => new Date(0) });
    const current = podInfoFolder({ dir: volume.dir, log });
    assert.deepEqual(current().labels, [['color', 'blue']]);
    await volume.publish({ labels: { color: 'green' }, annotations: { note: 'x' } });
    assert.deepEqual(current().labels, [['color', 'green']]);
    assert.deepEqual(current().labels, [['color', 'green']]);
    await volume.publish({ labels: 'color=red', annotations: { note: 'x' } });
    assert.deepEqual(current().labels, [['color', 'green']]);
    assert.deepEqual(current().labels, [['color', 'green']]);
    assert.deepEqual(lines, [
      `1970-01-01T00:00:00.000Z Showing 1 label and 1 annotation from ${volume.dir} labels=1 annotations=1`,
      `1970-01-01T00:00:00.000Z WARN ${volume.dir} changed but cannot be used (${volume.dir}/labels: line 1: not a double-quoted string); keeping the labels and annotations read before`,
    ]);
    await volume.publish({ labels: { color: 'yellow' }, annotations: { note: 'x' } });
    assert.deepEqual(current().labels, [['color', 'yellow']]);
  });

  it('a labels entry it cannot read as a file keeps the last good labels, with one warning', async () => {
    const volume = await downwardApiVolume({ labels: { color: 'blue' } });
    const lines: string[] = [];
    const log = createLogger({ format: 'text', write: (line) => lines.push(line), now: () => new Date(0) });
    const current = podInfoFolder({ dir: volume.dir, log });
    // A version whose labels cannot be read as a file: a folder in its place.
    await volume.publish({});
    await mkdir(join(volume.dir, '..data', 'labels'));
    assert.deepEqual(current().labels, [['color', 'blue']]);
    assert.deepEqual(current().labels, [['color', 'blue']]);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /WARN .*labels: not a file\); keeping the labels and annotations read before/,
    );
  });
});

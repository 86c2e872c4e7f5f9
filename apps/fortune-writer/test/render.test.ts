import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodInfo } from '../src/pod-info.ts';
import { POD_INFO_LIMITS } from '../src/pod-info-section.ts';
import { escapeHtml, renderPage, renderText, STYLE_SHEET } from '../src/render.ts';

const fortune = {
  text: 'Your heart is pure, and your mind clear, and your soul devout.',
  writtenAt: '2026-11-25T21:50:00.000Z',
  host: 'fortune',
};
const options = { reloadSeconds: 10 };

describe('what the writer publishes', () => {
  it('gives curl the fortune alone, as the seed transcript shows', () => {
    assert.equal(renderText(fortune), 'Your heart is pure, and your mind clear, and your soul devout.\n');
  });

  it('gives browsers a page with the fortune, when, by which pod and on which node it was written', () => {
    const page = renderPage([{ ...fortune, node: 'k3d-agent-0' }], options);
    assert.match(page, /^<!doctype html>\n<html lang="en">/);
    assert.match(
      page,
      /<blockquote id="fortune" data-live aria-live="polite">\s*<p>Your heart is pure, and your mind clear, and your soul devout\.<\/p>/,
    );
    assert.match(
      page,
      /<dt>Written<\/dt><dd><time datetime="2026-11-25T21:50:00.000Z">2026-11-25 21:50:00 UTC<\/time>/,
    );
    assert.match(page, /<dt>By<\/dt><dd>fortune<\/dd>/);
    assert.match(page, /<dt>On node<\/dt><dd>k3d-agent-0<\/dd>/);
    assert.match(page, /<p>None yet: this volume started empty\.<\/p>/);
  });

  it('leaves out the node and the volume when it is not told them', () => {
    const page = renderPage([fortune], options);
    assert.doesNotMatch(page, /On node|<dt>Volume/);
  });

  it('names the volume variant and what it means for the history', () => {
    const page = renderPage([fortune], { ...options, variant: 'pv-pvc' });
    assert.match(
      page,
      /<dt>Volume<\/dt><dd><code>pv-pvc<\/code>, a PersistentVolumeClaim bound to a PersistentVolume/,
    );
    assert.match(renderPage([fortune], { ...options, variant: 'emptydir' }), /deleted with it/);
  });

  it('lists the earlier fortunes of the volume, newest first, with how many it kept since when', () => {
    const page = renderPage(
      [
        fortune,
        { ...fortune, text: 'second newest', writtenAt: '2026-11-25T21:49:50.000Z' },
        { ...fortune, text: 'oldest', writtenAt: '2026-11-25T21:49:40.000Z' },
      ],
      options,
    );
    assert.ok(page.indexOf('second newest') < page.indexOf('oldest'));
    assert.match(page, /This volume has kept 3 fortunes since <time datetime="2026-11-25T21:49:40.000Z">/);
    assert.match(page, /<ol reversed>/);
  });

  it('updates itself through the server’s live script, and reloads itself without JavaScript', () => {
    const page = renderPage([fortune], { reloadSeconds: 7 });
    assert.match(page, /<script src="\/\.live\/update\.js" defer><\/script>/);
    assert.match(page, /<noscript><meta http-equiv="refresh" content="7"><\/noscript>/);
    assert.match(page, /<p id="live-status" class="status" role="status" hidden><\/p>/);
    const live = [...page.matchAll(/<(\w+) id="([\w-]+)"[^>]* data-live/g)].map((match) => match[2]);
    assert.deepEqual(live, ['fortune', 'written', 'history']);
  });

  it('has no inline script or style, which the server’s Content-Security-Policy would block', () => {
    const page = renderPage([{ ...fortune, node: 'n' }, fortune], { ...options, variant: 'hostpath' });
    assert.doesNotMatch(page, /<style|style=|<script>|\son[a-z]+=/);
    assert.match(page, /<link rel="stylesheet" href="style.css">/);
    assert.match(STYLE_SHEET, /@media \(prefers-color-scheme: dark\)/);
  });

  it('never lets a fortune become markup', () => {
    const page = renderPage(
      [{ ...fortune, text: `Q: "What's <b>bold</b> & new?"`, host: '<script>' }],
      options,
    );
    assert.match(page, /Q: &quot;What&#39;s &lt;b&gt;bold&lt;\/b&gt; &amp; new\?&quot;/);
    assert.doesNotMatch(page, /<b>|<script>/);
    assert.equal(escapeHtml(`<>&"'`), '&lt;&gt;&amp;&quot;&#39;');
  });

  describe('the pod from the downward API', () => {
    const info: PodInfo = {
      labels: [
        ['app.kubernetes.io/name', 'fortune'],
        ['fortune-sidecar/color', 'green'],
      ],
      annotations: [
        ['fortune-sidecar/note', 'Say "hi" <b>now</b>'],
        ['kubectl.kubernetes.io/last-applied-configuration', '{"apiVersion":"v1","kind":"Pod"}'],
      ],
      files: [
        { name: 'annotations', mode: 0o644 },
        { name: 'labels', mode: 0o644 },
        { name: 'token', mode: 0o440 },
      ],
    };
    const podInfo = {
      dir: '/etc/podinfo',
      info,
      comparedLabel: { key: 'fortune-sidecar/color', atStart: 'blue' },
    };

    it('shows one label as the volume holds it now beside the value the environment got at start', () => {
      const page = renderPage([fortune], { ...options, podInfo });
      assert.match(
        page,
        /<code>fortune-sidecar\/color<\/code>: in the volume now: <strong>green<\/strong> \/ in the environment since start: <strong>blue<\/strong> <small>\(changed since the container started\)<\/small>/,
      );
      const same = renderPage([fortune], {
        ...options,
        podInfo: { ...podInfo, comparedLabel: { key: 'fortune-sidecar/color', atStart: 'green' } },
      });
      assert.doesNotMatch(same, /changed since/);
      const gone = renderPage([fortune], {
        ...options,
        podInfo: { ...podInfo, comparedLabel: { key: 'fortune-sidecar/shape', atStart: 'round' } },
      });
      assert.match(gone, /in the volume now: <strong>not set<\/strong>/);
    });

    it("lists the labels and annotations, escaped, without kubectl's copy of the manifest, and the files with their modes", () => {
      const page = renderPage([fortune], { ...options, podInfo });
      assert.match(page, /<dt>fortune-sidecar\/color<\/dt><dd>green<\/dd>/);
      assert.match(
        page,
        /<dt>fortune-sidecar\/note<\/dt><dd>Say &quot;hi&quot; &lt;b&gt;now&lt;\/b&gt;<\/dd>/,
      );
      assert.doesNotMatch(page, /<b>now|"apiVersion"|<dt>kubectl\.kubernetes\.io/);
      assert.match(page, /Left out: kubectl\.kubernetes\.io\/last-applied-configuration/);
      assert.match(page, /<li><code>token<\/code> <small>r--r----- \(0440\)<\/small><\/li>/);
      assert.match(page, /<li><code>labels<\/code> <small>rw-r--r-- \(0644\)<\/small><\/li>/);
      assert.match(page, /Files in <code>\/etc\/podinfo<\/code>/);
      const live = [...page.matchAll(/<(\w+) id="([\w-]+)"[^>]* data-live/g)].map((match) => match[2]);
      assert.deepEqual(live, ['fortune', 'written', 'history', 'pod-info'], 'updates live with the rest');
    });

    it('bounds what it shows: each value cut, a number of entries, and says so', () => {
      const many: [string, string][] = Array.from({ length: POD_INFO_LIMITS.entries + 5 }, (_, i) => [
        `key-${String(i).padStart(2, '0')}`,
        'v',
      ]);
      const huge = 'x'.repeat(300_000);
      const page = renderPage([fortune], {
        ...options,
        podInfo: { dir: '/p', info: { labels: many, annotations: [['big', huge]], files: [] } },
      });
      assert.ok(page.length < 20_000, `the page stays small: ${page.length} characters`);
      assert.match(page, new RegExp(`<dd>${'x'.repeat(POD_INFO_LIMITS.chars)}…</dd>`));
      assert.match(page, /5 more labels not shown: the page shows the first 20\./);
      assert.match(page, /1 of the annotations cut at 200 characters/);
      assert.doesNotMatch(page, /key-24/);
    });

    it('says which file the folder lacks, and has no section without a folder', () => {
      const page = renderPage([fortune], {
        ...options,
        podInfo: { dir: '/p', info: { labels: [['a', 'b']], annotations: undefined, files: [] } },
      });
      assert.match(page, /No file annotations in this folder\./);
      assert.doesNotMatch(renderPage([fortune], options), /downward API|pod-info/);
    });
  });
});

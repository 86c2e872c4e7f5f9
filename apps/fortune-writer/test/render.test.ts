import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, renderPage, renderText } from '../src/render.ts';

const fortune = {
  text: 'Your heart is pure, and your mind clear, and your soul devout.',
  writtenAt: '2026-11-25T21:50:00.000Z',
  host: 'fortune',
};

describe('what the writer publishes', () => {
  it('gives curl the fortune alone, as the seed transcript shows', () => {
    assert.equal(renderText(fortune), 'Your heart is pure, and your mind clear, and your soul devout.\n');
  });

  it('gives browsers a page with the fortune, when and where it was written', () => {
    const page = renderPage([{ ...fortune, node: 'k3d-agent-0' }]);
    assert.match(page, /^<!doctype html>/);
    assert.match(
      page,
      /<blockquote id="fortune"><p>Your heart is pure, and your mind clear, and your soul devout\.<\/p><\/blockquote>/,
    );
    assert.match(page, /<time datetime="2026-11-25T21:50:00.000Z">2026-11-25 21:50:00 UTC<\/time>/);
    assert.match(
      page,
      /by <span class="host">fortune<\/span> on node <span class="node">k3d-agent-0<\/span>/,
    );
    assert.match(page, /this volume started empty/);
  });

  it('lists the earlier fortunes of the volume, newest first', () => {
    const page = renderPage([fortune, { ...fortune, text: 'second newest' }, { ...fortune, text: 'oldest' }]);
    assert.ok(page.indexOf('second newest') < page.indexOf('oldest'));
    assert.match(page, /<ol id="history" reversed>/);
  });

  it('never lets a fortune become markup', () => {
    const page = renderPage([{ ...fortune, text: `Q: "What's <b>bold</b> & new?"`, host: '<script>' }]);
    assert.match(page, /Q: &quot;What&#39;s &lt;b&gt;bold&lt;\/b&gt; &amp; new\?&quot;/);
    assert.doesNotMatch(page, /<b>|<script>/);
    assert.equal(escapeHtml(`<>&"'`), '&lt;&gt;&amp;&quot;&#39;');
  });
});

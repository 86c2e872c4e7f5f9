import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefersHtml } from '../src/negotiate.ts';

describe('content negotiation', () => {
  it('gives browsers the page', () => {
    assert.equal(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), true);
    assert.equal(prefersHtml('application/xhtml+xml'), true);
  });

  it('gives curl and other clients without text/html the plain text', () => {
    assert.equal(prefersHtml('*/*'), false);
    assert.equal(prefersHtml(undefined), false);
    assert.equal(prefersHtml('text/plain'), false);
  });

  it('respects a client that refuses HTML with q=0', () => {
    assert.equal(prefersHtml('text/html;q=0, text/plain'), false);
  });
});

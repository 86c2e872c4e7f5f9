import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fortunes from 'fortune-cookie';
import { createFortunePicker } from '../src/pick-fortune.ts';

describe('picking a fortune', () => {
  it('picks from the fortune-cookie collection', () => {
    const pick = createFortunePicker();
    for (let i = 0; i < 50; i += 1) assert.ok(fortunes.includes(pick()));
  });

  it('never shows the same fortune twice in a row, so every write visibly changes the page', () => {
    const pick = createFortunePicker(() => 0.5);
    const picks = Array.from({ length: 10 }, pick);
    for (let i = 1; i < picks.length; i += 1) assert.notEqual(picks[i], picks[i - 1]);
  });

  it('picks from the list it is given, and from a new list as soon as the list changes', () => {
    let list = ['One.', 'Two.'];
    const pick = createFortunePicker(Math.random, () => list);
    for (let i = 0; i < 20; i += 1) assert.ok(list.includes(pick()));
    list = ['Three.'];
    assert.equal(pick(), 'Three.');
    assert.equal(pick(), 'Three.', 'a list of one repeats its fortune rather than fail');
  });
});

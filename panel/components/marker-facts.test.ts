import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerFacts } from './marker-facts.js';

describe('markerFacts', () => {
  it('says what a gap covers and why, in words', () => {
    const from = new Date(2025, 4, 1, 10, 0, 1).getTime();
    const facts = new Map(markerFacts({ type: 'gap', from, to: from + 1500, reason: 'connectionClosed' }));
    assert.equal(facts.get('from'), '10:00:01.000');
    assert.equal(facts.get('to'), '10:00:02.500');
    assert.equal(facts.get('duration'), '1.5 s');
    assert.equal(facts.get('cause'), 'the extension closed the connection');
    assert.equal(new Map(markerFacts({ type: 'gap', from, to: from })).get('cause'), 'not recorded');
  });

  it('leaves out optional details that are absent', () => {
    assert.deepEqual(markerFacts({ type: 'connectionState', state: 'connecting', attempt: 1 }), [
      ['state', 'connecting'],
      ['attempt', '1'],
    ]);
    assert.deepEqual(markerFacts({ type: 'tokenSwitched', subscriptionId: 's', anonymous: true }), [
      ['subscription', 's'],
      ['new token', 'none (anonymous)'],
    ]);
  });
});

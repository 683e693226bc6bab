import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerFacts, markerJSON, recordFacts } from './marker-facts.js';
import type { TimelineRecord } from '../../src/timeline/record.js';

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

  it("says whose token stopped holding, which token it was, and quotes Parse's advice", () => {
    const facts = new Map(
      markerFacts({ type: 'tokenInvalid', state: 'revoked', applies: 'connection', username: 'alice', userId: 'uA', detail: 'Invalid session token (code 209)' }),
    );
    assert.equal(facts.get('token'), "a token not in the keyring (the connection's)");
    assert.equal(facts.get('state'), 'revoked or invalid: the server refused it (209)');
    assert.equal(facts.get('user'), 'alice (uA)');
    assert.match(facts.get('advice') ?? '', /^When you log out or the sessionToken you are using is invalid, you should unsubscribe and subscribe again/);
  });

  it('leaves out optional details that are absent', () => {
    assert.deepEqual(markerFacts({ type: 'connectionState', state: 'connecting', attempt: 1 }), [
      ['state', 'connecting'],
      ['attempt', '1'],
    ]);
    assert.deepEqual(markerFacts({ type: 'tokenSwitched', subscriptionId: 's', anonymous: true }), [['new token', 'none (anonymous)']]);
  });

  it('shows a gap’s subscription as #requestId and its times as clock times, never an internal id or epoch floats', () => {
    const from = new Date(2025, 4, 1, 10, 0, 1, 250).getTime() + 0.375;
    const gap: TimelineRecord = {
      seq: 1,
      epoch: 'e',
      time: from + 2000,
      source: { type: 'server', serverId: 'srv-7f3a' },
      kind: 'gap',
      label: 'possible gap',
      marker: { type: 'gap', from, to: from + 2000, reason: 'connectionLost' },
      subscriptionKey: 'server:srv-7f3a/sub-91c2',
      className: 'Game',
      summary: '',
    };
    const facts = recordFacts(gap, new Map([['server:srv-7f3a/sub-91c2', '#1 Game']]));
    assert.deepEqual(facts.slice(0, 3), [
      ['subscription', '#1 Game'],
      ['from', '10:00:01.250'],
      ['to', '10:00:03.250'],
    ]);
    assert.equal(new Map(recordFacts(gap, new Map())).get('subscription'), 'a subscription Game that has ended');
    assert.equal(new Map(recordFacts({ ...gap, subscriptionKey: 'pageSocket:p/4' }, new Map())).get('subscription'), '#4 Game');
    const shown = markerJSON(gap.marker!);
    assert.deepEqual(JSON.parse(shown), { type: 'gap', from: '10:00:01.250', to: '10:00:03.250', reason: 'connectionLost' });
    assert.ok(!shown.includes('sub-91c2'));
  });
});

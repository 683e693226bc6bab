import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriptionRecords, type ServerState } from './subscription-records.js';

function recordsWith(...ids: number[]): SubscriptionRecords<string> {
  const records = new SubscriptionRecords<string>();
  for (const id of ids) records.add(id, `s${id}`);
  return records;
}

function states(records: SubscriptionRecords<string>, ...ids: number[]): (ServerState | undefined)[] {
  return ids.map((id) => records.get(id)?.state);
}

/** A record in `held`: sent and confirmed. */
function held(records: SubscriptionRecords<string>, id: number): void {
  records.markSent(id);
  assert.equal(records.confirm(id), undefined);
}

describe('SubscriptionRecords: subscribe and confirm', () => {
  it('goes none → pending → held', () => {
    const records = recordsWith(1);
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'none', afterConfirm: undefined });
    records.markSent(1);
    assert.equal(records.get(1)?.state, 'pending');
    assert.equal(records.confirm(1), undefined);
    assert.equal(records.get(1)?.state, 'held');
    assert.equal(records.liveSubscription(1), 's1');
  });

  it('ignores a confirmation for an id that is not pending', () => {
    const records = recordsWith(1, 2);
    held(records, 2);
    assert.equal(records.confirm(1), undefined);
    assert.equal(records.confirm(2), undefined);
    assert.equal(records.confirm(99), undefined);
    assert.deepEqual(states(records, 1, 2, 99), ['none', 'held', undefined]);
  });

  it('lists live subscriptions in requestId order, including ones added while iterating', () => {
    const records = recordsWith(1, 2);
    const seen: string[] = [];
    for (const subscription of records.liveSubscriptions()) {
      seen.push(subscription);
      if (subscription === 's1') records.add(3, 's3');
    }
    assert.deepEqual(seen, ['s1', 's2', 's3']);
    assert.equal(records.hasLive(), true);
    assert.equal(new SubscriptionRecords().hasLive(), false);
  });
});

describe('SubscriptionRecords: update', () => {
  it('subscribes again when the server holds nothing, updates when it holds it', () => {
    const records = recordsWith(1, 2);
    held(records, 2);
    assert.equal(records.requestUpdate(1), 'subscribe');
    assert.equal(records.requestUpdate(2), 'update');
    assert.deepEqual(states(records, 1, 2), ['none', 'held'], 'the caller marks what it sends');
  });

  it('queues an update while pending and hands it over on confirmation', () => {
    const records = recordsWith(1);
    records.markSent(1);
    assert.equal(records.requestUpdate(1), undefined);
    assert.equal(records.requestUpdate(1), undefined);
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'pending', afterConfirm: 'update' });
    assert.equal(records.confirm(1), 'update');
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'held', afterConfirm: undefined });
    records.markSent(1);
    assert.equal(records.confirm(1), undefined, 'the queued update went out once');
  });

  it('keeps a queued update when another request goes out before the confirmation', () => {
    const records = recordsWith(1);
    records.markSent(1);
    records.requestUpdate(1);
    records.markSent(1);
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'pending', afterConfirm: 'update' });
    assert.equal(records.confirm(1), 'update');
  });
});

describe('SubscriptionRecords: unsubscribe', () => {
  it('sends the unsubscribe at once when held, and forgets the record on unsubscribed', () => {
    const records = recordsWith(1);
    held(records, 1);
    assert.equal(records.startLeaving(1), 'unsubscribe');
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'leaving', afterConfirm: undefined });
    assert.equal(records.liveSubscription(1), undefined);
    assert.deepEqual([...records.liveSubscriptions()], []);
    assert.equal(records.finishLeaving(1), 's1');
    assert.equal(records.get(1), undefined);
  });

  it('waits for the confirmation in flight, replacing a queued update', () => {
    const records = recordsWith(1);
    records.markSent(1);
    records.requestUpdate(1);
    assert.equal(records.startLeaving(1), 'wait');
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'leaving', afterConfirm: 'unsubscribe' });
    assert.equal(records.confirm(1), 'unsubscribe');
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'leaving', afterConfirm: undefined });
    assert.equal(records.confirm(1), undefined, 'the unsubscribe is handed over once');
  });

  it('closes at once when the server holds nothing', () => {
    const records = recordsWith(1);
    assert.equal(records.startLeaving(1), 'close');
    assert.equal(records.get(1), undefined);
    assert.equal(records.startLeaving(99), 'close');
  });

  it('does not leave twice, and ignores unsubscribed for a live record', () => {
    const records = recordsWith(1, 2);
    held(records, 1);
    held(records, 2);
    records.startLeaving(1);
    assert.equal(records.startLeaving(1), 'wait');
    assert.equal(records.finishLeaving(2), undefined);
    assert.deepEqual(states(records, 1, 2), ['leaving', 'held']);
  });

  it('keeps a leaving record leaving when an update goes out after its unsubscribe', () => {
    const records = recordsWith(1);
    held(records, 1);
    records.startLeaving(1);
    records.markSent(1);
    assert.equal(records.get(1)?.state, 'leaving');
    assert.equal(records.finishLeaving(1), 's1');
  });

  it('forgets a record in any state', () => {
    const records = recordsWith(1, 2);
    records.markSent(2);
    records.forget(1);
    records.forget(2);
    assert.deepEqual(states(records, 1, 2), [undefined, undefined]);
  });
});

describe('SubscriptionRecords: refusals and lost connections', () => {
  it('a refused record goes back to none and drops what waited', () => {
    const records = recordsWith(1, 2);
    records.markSent(1);
    records.requestUpdate(1);
    held(records, 2);
    assert.equal(records.refuse(1), undefined);
    assert.equal(records.refuse(2), undefined);
    assert.deepEqual(records.get(1), { subscription: 's1', state: 'none', afterConfirm: undefined });
    assert.equal(records.get(2)?.state, 'none');
    assert.equal(records.requestUpdate(1), 'subscribe');
    assert.equal(records.startLeaving(2), 'close');
    assert.equal(records.refuse(99), undefined);
  });

  it('a refused leaving record is forgotten and returned to close', () => {
    const records = recordsWith(1);
    records.markSent(1);
    records.startLeaving(1);
    assert.equal(records.refuse(1), 's1');
    assert.equal(records.get(1), undefined);
  });

  it('a lost connection sets live records to none and returns the leaving ones in the order they left', () => {
    const records = recordsWith(1, 2, 3, 4);
    for (const id of [1, 2, 3, 4]) held(records, id);
    records.markSent(4);
    records.requestUpdate(4);
    records.startLeaving(3);
    records.startLeaving(1);
    assert.deepEqual(records.connectionLost(), ['s3', 's1']);
    assert.deepEqual(states(records, 1, 2, 3, 4), [undefined, 'none', undefined, 'none']);
    assert.equal(records.get(4)?.afterConfirm, undefined);
    assert.deepEqual([...records.liveSubscriptions()], ['s2', 's4']);
  });

  it('clear forgets everything and returns live subscriptions first, then leaving ones', () => {
    const records = recordsWith(1, 2, 3);
    held(records, 1);
    records.startLeaving(1);
    assert.deepEqual(records.clear(), ['s2', 's3', 's1']);
    assert.equal(records.hasLive(), false);
    assert.deepEqual(states(records, 1, 2, 3), [undefined, undefined, undefined]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParseJSON } from '../../src/livequery/protocol.js';
import { fakeRest, settle, workerRecords } from './fakes.js';
import { createResultSetsStore, MAX_RESULT_SET_OBJECTS } from './result-sets.js';

const game = (objectId: string, score = 0): ParseJSON => ({ className: 'Game', objectId, score });

function setup() {
  const rest = fakeRest();
  let clock = 1_746_093_600_000;
  const resultSets = createResultSetsStore({ rest, now: () => clock });
  const records = workerRecords();
  return { resultSets, rest, records, at: (time: number) => (clock = time) };
}

const ids = (objects: ParseJSON[]) => objects.map((o) => o.objectId);

describe('createResultSetsStore', () => {
  it('keeps each subscription’s objects from its events: create, enter, update add; leave, delete remove', () => {
    const { resultSets, records } = setup();
    resultSets.receive([
      records.event('create', 's1', game('a', 1)),
      records.event('enter', 's1', game('b')),
      records.event('create', 's2', game('x')),
      records.event('update', 's1', game('a', 2)),
      records.event('update', 's1', game('c')),
      records.event('leave', 's1', game('b')),
    ]);
    const s1 = resultSets.of('s1').value;
    assert.equal(s1.size, 2);
    assert.deepEqual(s1.objects(), [game('a', 2), game('c')]);
    assert.deepEqual(ids(resultSets.of('s2').value.objects()), ['x']);
    resultSets.receive([records.event('delete', 's1', game('a'))]);
    assert.deepEqual(ids(resultSets.of('s1').value.objects()), ['c']);
    assert.equal(resultSets.of('nothing yet').value.size, 0);
  });

  it('keeps at most MAX_RESULT_SET_OBJECTS objects, forgets the oldest and says how many, until the set starts over', () => {
    const { resultSets, records } = setup();
    const extra = 3;
    resultSets.receive(Array.from({ length: MAX_RESULT_SET_OBJECTS + extra }, (_, n) => records.event('create', 's1', game(`o${n}`))));
    const view = resultSets.of('s1').value;
    assert.equal(view.size, MAX_RESULT_SET_OBJECTS);
    assert.equal(view.forgotten, extra);
    assert.equal(view.objects()[0]!.objectId, `o${extra}`, 'the oldest went first');
    resultSets.reset('s1');
    assert.deepEqual([resultSets.of('s1').value.size, resultSets.of('s1').value.forgotten], [0, 0]);
  });

  it('announces a new view only when a batch changed that set', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 's1', game('a'))]);
    const view = resultSets.of('s1').value;
    resultSets.receive([
      records.rec({ kind: 'received', label: 'subscribed', subscriptionKey: 's1', raw: '{"op":"subscribed","requestId":1}' }),
      records.event('delete', 's1', game('never-there')),
      records.event('create', 's2', game('x')),
    ]);
    assert.equal(resultSets.of('s1').value, view);
  });

  it('starts over at an update op or a token switch, and takes a `result` frame as the whole set', () => {
    const { resultSets, records } = setup();
    const sent = (op: string) => records.rec({ kind: 'sent', label: 'update', subscriptionKey: 'k', raw: JSON.stringify({ op, requestId: 1, query: { className: 'Game', where: {} } }) });
    resultSets.receive([records.event('create', 'k', game('a'))]);
    resultSets.receive([sent('update')]);
    assert.equal(resultSets.of('k').value.size, 0);
    resultSets.receive([records.event('create', 'k', game('b'))]);
    resultSets.receive([sent('subscribe')]);
    assert.equal(resultSets.of('k').value.size, 1, 'the label is display text: the frame says subscribe');
    const switched = records.rec({
      kind: 'connection',
      label: 'token switched',
      subscriptionKey: 'k',
      marker: { type: 'tokenSwitched', subscriptionId: 'k', anonymous: true },
    });
    resultSets.receive([switched]);
    assert.equal(resultSets.of('k').value.size, 0);
    resultSets.receive([
      records.event('create', 'k', game('c')),
      records.rec({
        kind: 'received',
        label: 'result',
        subscriptionKey: 'k',
        raw: JSON.stringify({ op: 'result', requestId: 1, results: [game('r1'), game('r2')] }),
      }),
      records.event('enter', 'k', game('d')),
    ]);
    assert.deepEqual(ids(resultSets.of('k').value.objects()), ['r1', 'r2', 'd']);
  });

  it('does not apply a record twice when the service worker sends it again (a catch-up)', () => {
    const { resultSets, records } = setup();
    const created = records.event('create', 'k', game('a'));
    const deleted = records.event('delete', 'k', game('a'));
    resultSets.receive([created, deleted]);
    resultSets.receive([created]);
    assert.equal(resultSets.of('k').value.size, 0);
    resultSets.receive([{ ...created, epoch: 'restarted-worker' }]);
    assert.equal(resultSets.of('k').value.size, 1, 'the same number in another epoch is another record');
  });

  it('shows an object whose frame was cut for its size by its id', () => {
    const { resultSets, records } = setup();
    const event = records.event('create', 'k', { className: 'Game', objectId: 'big', blob: 'x'.repeat(100) });
    resultSets.receive([{ ...event, raw: event.raw!.slice(0, 50) }]);
    assert.deepEqual(resultSets.of('k').value.objects(), [{ className: 'Game', objectId: 'big' }]);
  });

  it('reset empties one set; its next events fill it again', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 'k', game('a')), records.event('create', 'other', game('o'))]);
    resultSets.reset('k');
    assert.equal(resultSets.of('k').value.size, 0);
    assert.equal(resultSets.of('other').value.size, 1);
    resultSets.receive([records.event('update', 'k', game('b'))]);
    assert.deepEqual(ids(resultSets.of('k').value.objects()), ['b']);
  });

  it('seeds a set from a REST query and replays over it the events that arrived while the query ran', async () => {
    const { resultSets, rest, records, at } = setup();
    const spec = { serverURL: 'ws://parse.test/parse/', applicationId: 'app', javascriptKey: 'js' };
    resultSets.receive([records.event('create', 'k', game('before'))]);
    at(2_000_000_000_000);
    const seeding = resultSets.seed('k', { spec, query: { className: 'Game', where: { score: { $gt: 1 } } }, sessionToken: 'r:alice' });
    assert.deepEqual(rest.calls, [
      {
        creds: { restURL: 'http://parse.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: 'r:alice' },
        what: 'find Game {"score":{"$gt":1}}',
      },
    ]);
    resultSets.receive([
      { ...records.event('delete', 'k', game('old')), time: 2_000_000_000_001 },
      { ...records.event('create', 'k', game('new', 9)), time: 2_000_000_000_002 },
    ]);
    rest.answer([{ objectId: 'old', score: 5 }, { objectId: 'kept', score: 3 }, { nope: true }]);
    assert.equal(await seeding, 3);
    assert.deepEqual(resultSets.of('k').value.objects(), [game('kept', 3), game('new', 9)]);
  });

  it('refuses a seed the user reset while its query ran', async () => {
    const { resultSets, rest } = setup();
    const seeding = resultSets.seed('k', { spec: { serverURL: 'ws://p.test', applicationId: 'a' }, query: { className: 'Game', where: {} } });
    resultSets.reset('k');
    rest.answer([game('late')]);
    await assert.rejects(seeding, /reset while the query ran/);
    await settle();
    assert.equal(resultSets.of('k').value.size, 0);
  });

  it('retain forgets the sets of subscriptions that are gone', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 'gone', game('a')), records.event('create', 'kept', game('b'))]);
    resultSets.retain(new Set(['kept']));
    assert.equal(resultSets.of('kept').value.size, 1);
    assert.equal(resultSets.of('gone').value.size, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParseJSON } from '../../src/livequery/protocol.js';
import { fakeRest, settle, workerRecords } from './fakes.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import * as differ from './result-diff.js';
import { createResultSetsStore, MAX_RESULT_SET_OBJECTS, type QuerySource, type ResultSetsDeps } from './result-sets.js';

const game = (objectId: string, score = 0): ParseJSON => ({ className: 'Game', objectId, score });

const source = (sessionToken?: string): QuerySource => ({
  creds: { restURL: 'http://parse.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken },
  query: { className: 'Game', where: { score: { $gt: 1 } } },
  source: { type: 'server', serverId: 'srv' },
});

function setup(settings: { resultCap?: number; autoCheck?: boolean } = {}, importDiff: ResultSetsDeps['importDiff'] = async () => differ) {
  const rest = fakeRest();
  let clock = 1_746_093_600_000;
  const added: RecordDraft[] = [];
  const sources = new Map<string, QuerySource>([['k', source('r:alice')]]);
  const resultSets = createResultSetsStore({
    rest,
    now: () => clock,
    sourceOf: (key) => sources.get(key),
    addRecords: (drafts) => added.push(...drafts),
    settings,
    importDiff,
  });
  const records = workerRecords();
  return { resultSets, rest, records, added, sources, at: (time: number) => (clock = time) };
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
    assert.deepEqual(s1.slice(1, 5), [game('c')]);
    assert.deepEqual(ids(resultSets.of('s2').value.objects()), ['x']);
    resultSets.receive([records.event('delete', 's1', game('a'))]);
    assert.deepEqual(ids(resultSets.of('s1').value.objects()), ['c']);
    assert.equal(resultSets.of('nothing yet').value.size, 0);
  });

  it('leaves injected events out: the set stays what the server sent', () => {
    const { resultSets, records } = setup();
    resultSets.receive([
      records.event('create', 's1', game('a')),
      { ...records.event('create', 's1', game('fake')), injected: true },
      { ...records.event('delete', 's1', game('a')), injected: true },
    ]);
    assert.deepEqual(ids(resultSets.of('s1').value.objects()), ['a']);
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

  it('seeds a set from a REST query (up to the cap) and replays over it the events that arrived while the query ran', async () => {
    const { resultSets, rest, records, at } = setup();
    resultSets.receive([records.event('create', 'k', game('before'))]);
    at(2_000_000_000_000);
    const seeding = resultSets.seed('k');
    assert.equal(resultSets.of('k').value.busy, true);
    assert.deepEqual(rest.calls, [
      {
        creds: { restURL: 'http://parse.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: 'r:alice' },
        what: `find Game {"score":{"$gt":1}} max ${MAX_RESULT_SET_OBJECTS}`,
      },
    ]);
    resultSets.receive([
      { ...records.event('delete', 'k', game('old')), time: 2_000_000_000_001 },
      { ...records.event('create', 'k', game('new', 9)), time: 2_000_000_000_002 },
    ]);
    rest.answer([{ objectId: 'old', score: 5 }, { objectId: 'kept', score: 3 }, { nope: true }]);
    assert.deepEqual(await seeding, { loaded: 3, more: false });
    assert.deepEqual(resultSets.of('k').value.objects(), [game('kept', 3), game('new', 9)]);
    assert.equal(resultSets.of('k').value.busy, false);
  });

  it('says when a seed stopped at the cap, and the cap the user sets is what the next query loads and the set keeps', async () => {
    const { resultSets, rest } = setup({ resultCap: 200 });
    assert.equal(resultSets.cap.value, 200);
    const seeding = resultSets.seed('k');
    rest.answer(Array.from({ length: 200 }, (_, n) => game(`o${n}`)), true);
    assert.deepEqual(await seeding, { loaded: 200, more: true });
    assert.throws(() => resultSets.setCap(5), /from 100 to 100,000/);
    resultSets.setCap(150);
    assert.equal(resultSets.of('k').value.size, 150);
    assert.equal(resultSets.of('k').value.forgotten, 50);
    void resultSets.seed('k');
    assert.match(rest.calls.at(-1)!.what, /max 150$/);
  });

  it('keeps the set as it was when a REST query fails, and refuses one for a subscription it cannot query', async () => {
    const { resultSets, rest, records } = setup();
    resultSets.receive([records.event('create', 'k', game('a'))]);
    const seeding = resultSets.seed('k');
    rest.fail(new Error('Invalid session token (code 209)'));
    await assert.rejects(seeding, /code 209/);
    assert.deepEqual(ids(resultSets.of('k').value.objects()), ['a']);
    await assert.rejects(resultSets.seed('unknown'), /cannot be run over REST/);
  });

  it('refuses a seed the user reset while its query ran', async () => {
    const { resultSets, rest } = setup();
    const seeding = resultSets.seed('k');
    resultSets.reset('k');
    rest.answer([game('late')]);
    await assert.rejects(seeding, /reset while the query ran/);
    await settle();
    assert.equal(resultSets.of('k').value.size, 0);
  });

  it('is stale since the start of a gap of its subscription (or of its page frame, or of the extension) until checked', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 'k', game('a')), records.event('create', 'other', game('b'))]);
    const gap = records.rec({ kind: 'gap', label: 'possible gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1000, to: 2000, reason: 'connectionLost' } });
    resultSets.receive([gap]);
    assert.equal(resultSets.of('k').value.staleSince, 1000);
    assert.equal(resultSets.of('other').value.staleSince, undefined);
    resultSets.receive([records.event('create', 'pageSocket:s1/1', game('p')), records.event('create', 'pageSocket:s2/1', game('q'))].map((r, i) => ({ ...r, source: { type: 'pageSocket' as const, socketId: `s${i + 1}`, frameId: i } })));
    resultSets.receive([{ ...records.rec({ kind: 'gap', label: 'relay dropped', marker: { type: 'relayDropped', count: 3 } }), time: 5000, source: { type: 'document', frameId: 1 } }]);
    assert.equal(resultSets.of('pageSocket:s1/1').value.staleSince, undefined, 'another frame');
    assert.equal(resultSets.of('pageSocket:s2/1').value.staleSince, 5000);
    resultSets.markAllStale(7000);
    assert.equal(resultSets.of('other').value.staleSince, 7000);
    assert.equal(resultSets.of('k').value.staleSince, 1000, 'since the first gap');
  });

  it('What did I miss? diffs REST with the set, corrects it, adds recovered records and clears the staleness', async () => {
    const { resultSets, rest, records, added, at } = setup();
    resultSets.receive([records.event('create', 'k', game('same', 2)), records.event('create', 'changed', game('x')), records.event('create', 'k', { ...game('edited', 2), updatedAt: 't1' }), records.event('create', 'k', game('gone', 3))]);
    resultSets.receive([records.rec({ kind: 'gap', label: 'possible gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1000, to: 2000 } })]);
    at(3000);
    const checking = resultSets.check('k');
    rest.answer([{ objectId: 'edited', score: 4, updatedAt: 't2' }, { objectId: 'new', score: 9 }, { objectId: 'same', score: 2 }]);
    const summary = await checking;
    assert.deepEqual(summary, { at: 3000, appeared: 1, changed: 1, left: 1, found: 3, more: false });
    const view = resultSets.of('k').value;
    assert.equal(view.staleSince, undefined);
    assert.deepEqual(view.lastCheck, summary);
    assert.deepEqual(ids(view.objects()).sort(), ['edited', 'new', 'same']);
    assert.deepEqual(
      added.map((d) => [d.label, d.objectId, d.marker]),
      [
        ['recovered: appeared', 'new', { type: 'recovered', change: 'appeared', staleSince: 1000 }],
        ['recovered: changed', 'edited', { type: 'recovered', change: 'changed', staleSince: 1000, fields: ['score', 'updatedAt'] }],
        ['recovered: left', 'gone', { type: 'recovered', change: 'left', staleSince: 1000 }],
      ],
    );
    assert.ok(added.every((d) => d.subscriptionKey === 'k' && d.kind === 'gap' && d.source.type === 'server'));
  });

  it('a check that stopped at the cap says nothing left, and a gap during a check keeps the set stale', async () => {
    const { resultSets, rest, records } = setup();
    resultSets.receive([records.event('create', 'k', game('a')), records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1, to: 2 } })]);
    const checking = resultSets.check('k');
    resultSets.receive([records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 5, to: 6 } })]);
    rest.answer([game('b')], true);
    const summary = await checking;
    assert.equal(summary.left, 0);
    assert.equal(resultSets.of('k').value.staleSince, 1, 'a newer gap came while the query ran');
  });

  it('checks by itself after each gap when asked to, and shows why an automatic check failed', async () => {
    const { resultSets, rest, records } = setup({ autoCheck: true });
    resultSets.receive([records.event('create', 'k', game('a'))]);
    resultSets.receive([records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1, to: 2 } })]);
    assert.equal(rest.calls.length, 1);
    rest.fail(new Error('Cannot reach http://parse.test/parse: Failed to fetch'));
    await settle();
    assert.match(resultSets.of('k').value.checkError ?? '', /What did I miss\? failed: Cannot reach/);
    assert.equal(resultSets.of('k').value.staleSince, 1, 'still stale');
    assert.deepEqual(ids(resultSets.of('k').value.objects()), ['a'], 'nothing lost');
    resultSets.setAutoCheck(false);
    resultSets.receive([records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 3, to: 4 } })]);
    assert.equal(rest.calls.length, 1);
  });

  it('loads its comparison while the query runs; a chunk that cannot be loaded leaves the set as it was and says why', async () => {
    let fail = true;
    const { resultSets, rest, records, added } = setup({}, () => (fail ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(differ)));
    resultSets.receive([records.event('create', 'k', game('a')), records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1, to: 2 } })]);
    const checking = resultSets.check('k');
    assert.equal(rest.calls.length, 1, 'the query does not wait for the chunk');
    rest.answer([game('b')]);
    await assert.rejects(checking, /^Error: Could not load the result set check: Failed to fetch dynamically imported module\. If the extension was updated or reloaded, close and reopen DevTools\.$/);
    const view = resultSets.of('k').value;
    assert.deepEqual([ids(view.objects()), view.staleSince, view.busy, added.length], [['a'], 1, false, 0], 'nothing changed');
    fail = false;
    const again = resultSets.check('k');
    rest.answer([game('b')]);
    assert.equal((await again).appeared, 1, 'a new check loads it again');
  });

  it('a new query or token starts the set over, stale or not', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 'k', game('a')), records.rec({ kind: 'gap', label: 'gap', subscriptionKey: 'k', marker: { type: 'gap', from: 1, to: 2 } })]);
    resultSets.receive([records.rec({ kind: 'connection', label: 'token switched', subscriptionKey: 'k', marker: { type: 'tokenSwitched', subscriptionId: 'k', anonymous: true } })]);
    assert.deepEqual([resultSets.of('k').value.size, resultSets.of('k').value.staleSince], [0, undefined]);
  });

  it('retain forgets the sets of subscriptions that are gone', () => {
    const { resultSets, records } = setup();
    resultSets.receive([records.event('create', 'gone', game('a')), records.event('create', 'kept', game('b'))]);
    resultSets.retain(new Set(['kept']));
    assert.equal(resultSets.of('kept').value.size, 1);
    assert.equal(resultSets.of('gone').value.size, 0);
  });
});

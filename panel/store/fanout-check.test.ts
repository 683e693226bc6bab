import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computed, signal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import type { MarkerOf, RecordDraft } from '../../src/timeline/record.js';
import { emptyCounts, type ServerView } from '../../src/views.js';
import { createFanoutCheckStore, type FanoutRequest } from './fanout-check.js';
import * as runner from './fanout-run.js';
import { resaveField, throwawayFields } from './fanout-run.js';
import { fakeRest, serverView, settle, workerRecords } from './fakes.js';
import { groupFleets } from './fleets.js';

const T0 = 1_800_000_000_000;

/** Two nodes of app "app" (one REST URL), the service worker played by hand, timers fired by the test. */
function setup(options: { down?: string[]; noMasterKey?: boolean; viewsLater?: boolean; importRunner?: () => Promise<typeof runner> } = {}) {
  const spec = (url: string) => ({ serverURL: url, applicationId: 'app', restURL: 'http://api.test/parse', ...(options.noMasterKey ? {} : { masterKey: 'mk' }) });
  const servers = signal<ServerView[]>(
    ['a', 'b'].map((id) =>
      serverView(id, { spec: spec(`ws://${id}.test/`), state: options.down?.includes(id) ? 'reconnecting' : 'connected' }),
    ),
  );
  const fleets = computed(() => groupFleets(servers.value));
  const commands: string[] = [];
  /** Subscriptions that the fake service worker leaves pending (never confirmed). */
  const unconfirmed = new Set<string>();
  const laterViews: (() => void)[] = [];
  const update = (serverId: string, change: (s: ServerView) => ServerView) => {
    servers.value = servers.value.map((s) => (s.id === serverId ? change(s) : s));
  };
  const connections = {
    async subscribe(serverId: string, query: QueryJSON, _token?: string, subscriptionId?: string) {
      commands.push(`subscribe ${serverId} ${subscriptionId} ${JSON.stringify(query)}`);
      const state = unconfirmed.has(serverId) ? 'pending' : 'subscribed';
      const show = () => update(serverId, (s) => ({ ...s, subscriptions: [...s.subscriptions, { id: subscriptionId!, query, state, counts: emptyCounts() }] }));
      // The command's answer comes before the view that shows the new subscription.
      if (options.viewsLater) laterViews.push(show);
      else show();
    },
    async unsubscribe(serverId: string, subscriptionId: string) {
      commands.push(`unsubscribe ${serverId} ${subscriptionId}`);
      update(serverId, (s) => ({ ...s, subscriptions: s.subscriptions.filter((sub) => sub.id !== subscriptionId) }));
    },
  };
  const timers = new Set<() => void>();
  let time = T0;
  const records: RecordDraft[] = [];
  const rest = fakeRest();
  const check = createFanoutCheckStore({
    connections,
    servers,
    fleets,
    rest,
    addRecord: (draft) => records.push(draft),
    now: () => time,
    after: (_ms, callback) => {
      timers.add(callback);
      return () => timers.delete(callback);
    },
    newId: () => 'x1',
    importRunner: options.importRunner ?? (async () => runner),
  });
  const factory = workerRecords();
  return {
    check,
    servers,
    commands,
    unconfirmed,
    /** The service worker's views that show the new subscriptions arrive. */
    showViews: () => laterViews.splice(0).forEach((show) => show()),
    records,
    rest,
    update,
    fleetKey: fleets.value[0]!.key,
    at: (t: number) => (time = T0 + t),
    /** The wait window passes. */
    timeout: () => [...timers].forEach((callback) => callback()),
    /** An event of the check's subscription on `serverId`, arriving `t` ms after T0. */
    event: (serverId: string, t: number, objectId: string, op: 'create' | 'update' = 'create', updatedAt = new Date(T0).toISOString()) => ({
      ...factory.event(op, `server:${serverId}/fanout-x1`, { className: 'Message', objectId, updatedAt }),
      source: { type: 'server' as const, serverId },
      time: T0 + t,
    }),
  };
}

const marker = (draft: RecordDraft | undefined) => draft?.marker as MarkerOf<'fanoutCheck'>;

describe('fan-out check', () => {
  it('creates a throwaway object, says delivered or late per node, then removes its subscriptions and the object', async () => {
    const s = setup();
    const request: FanoutRequest = { fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' };
    const done = s.check.run(request);
    await settle();
    assert.deepEqual(s.commands, [
      'subscribe a fanout-x1 {"className":"Message","where":{"room":"lobby"}}',
      'subscribe b fanout-x1 {"className":"Message","where":{"room":"lobby"}}',
    ]);
    assert.deepEqual(s.rest.writes, ['create Message {"room":"lobby"}']);
    s.check.receive([s.event('a', 20, 'new1'), s.event('b', 1500, 'new1')]);
    const result = await done;
    assert.deepEqual(result.nodes, [
      { serverId: 'a', node: 'a.test', verdict: 'delivered', behindFastestMs: 0, latencyMs: 20 },
      { serverId: 'b', node: 'b.test', verdict: 'late', behindFastestMs: 1480, latencyMs: 1500 },
    ]);
    assert.deepEqual(s.commands.slice(2), ['unsubscribe a fanout-x1', 'unsubscribe b fanout-x1']);
    assert.deepEqual(s.rest.writes, ['create Message {"room":"lobby"}', 'delete Message new1']);
    assert.deepEqual(s.servers.value.map((v) => v.subscriptions.length), [0, 0], 'nothing left behind');
    assert.equal(s.check.results.value.get(s.fleetKey), result, 'the result stays visible');
    assert.equal(s.check.phase.value, 'idle');
    const recorded = marker(s.records[0]);
    assert.equal(recorded.type, 'fanoutCheck');
    assert.equal(recorded.objectId, 'new1');
    assert.equal(recorded.write, 'create');
    assert.match(s.records[0]!.summary, /1 delivered, 1 late/);
  });

  it('writes only once the service worker’s view shows every subscription confirmed (not before the view arrives)', async () => {
    const s = setup({ viewsLater: true });
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    await settle();
    assert.deepEqual(s.rest.writes, [], 'the subscriptions are not in any view yet');
    s.showViews();
    await settle();
    assert.deepEqual(s.rest.writes, ['create Message {"room":"lobby"}']);
    s.check.receive([s.event('a', 20, 'new1'), s.event('b', 30, 'new1')]);
    assert.deepEqual((await done).nodes.map((n) => n.verdict), ['delivered', 'delivered']);
  });

  it('names a node that is down before the check, and one that dies mid-check; both still lose their subscriptions', async () => {
    const s = setup();
    s.servers.value = [...s.servers.value, serverView('c', { spec: { serverURL: 'ws://c.test/', applicationId: 'app', restURL: 'http://api.test/parse' }, state: 'reconnecting' })];
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    await settle();
    assert.equal(s.commands.filter((c) => c.startsWith('subscribe')).length, 2, 'no subscription on the node that is down');
    s.check.receive([s.event('a', 30, 'new1')]);
    // b's socket drops: its subscription goes back to pending and its event never comes.
    s.update('b', (v) => ({ ...v, state: 'reconnecting', subscriptions: v.subscriptions.map((sub) => ({ ...sub, state: 'pending' })) }));
    s.timeout();
    const result = await done;
    assert.deepEqual(
      result.nodes.map((n) => [n.node, n.verdict, n.why]),
      [
        ['a.test', 'delivered', undefined],
        ['b.test', 'down', 'reconnecting'],
        ['c.test', 'down', 'reconnecting'],
      ],
    );
    assert.deepEqual(s.commands.slice(2), ['unsubscribe a fanout-x1', 'unsubscribe b fanout-x1']);
    assert.deepEqual(s.rest.writes.at(-1), 'delete Message new1');
  });

  it('says missing for a node that stays up but gets nothing within the wait window', async () => {
    const s = setup();
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    await settle();
    s.check.receive([s.event('b', 40, 'new1'), s.event('a', 45, 'other')]);
    s.timeout();
    assert.deepEqual((await done).nodes.map((n) => n.verdict), ['missing', 'delivered'], 'an event of another object does not count');
  });

  it('a node whose subscription is never confirmed is named down with the reason', async () => {
    const s = setup();
    s.unconfirmed.add('b');
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    await settle();
    assert.deepEqual(s.rest.writes, [], 'the write waits for the subscriptions');
    s.timeout();
    await settle();
    s.check.receive([s.event('a', 10, 'new1')]);
    const result = await done;
    assert.deepEqual(result.nodes.map((n) => [n.verdict, n.why]), [['delivered', undefined], ['down', 'subscription pending']]);
    assert.ok(s.commands.includes('unsubscribe b fanout-x1'));
  });

  it('saves an existing match again (one plain field as it is) and only counts events after the write', async () => {
    const s = setup();
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { score: { $gt: 3 } }, write: 'update' });
    await settle();
    s.at(100);
    s.rest.answer([{ objectId: 'm1', score: 5, tags: ['x'], createdAt: 'x', updatedAt: 'y' }]);
    await settle();
    assert.deepEqual(s.rest.writes, ['update Message m1 {"score":5}']);
    s.check.receive([s.event('a', 50, 'm1', 'update'), s.event('a', 120, 'm1', 'update'), s.event('b', 130, 'm1', 'update')]);
    const result = await done;
    assert.deepEqual(result.nodes.map((n) => [n.verdict, n.latencyMs, n.behindFastestMs]), [['delivered', 20, 0], ['delivered', 30, 10]]);
    assert.deepEqual(s.rest.writes, ['update Message m1 {"score":5}'], 'an existing object is never deleted');
  });

  it('waits for the next natural event and compares the nodes on it, latency against its updatedAt', async () => {
    const s = setup();
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: {}, write: 'natural' });
    await settle();
    const updatedAt = new Date(T0 + 5).toISOString();
    s.check.receive([s.event('b', 25, 'n1', 'update', updatedAt)]);
    s.check.receive([s.event('a', 35, 'n1', 'update', updatedAt)]);
    const result = await done;
    assert.deepEqual(result.nodes.map((n) => [n.node, n.verdict, n.latencyMs, n.behindFastestMs]), [['a.test', 'delivered', 30, 10], ['b.test', 'delivered', 20, 0]]);
    assert.deepEqual(s.rest.writes, [], 'no write');
  });

  it('Cancel while waiting for a natural event ends the check and removes its subscriptions', async () => {
    const s = setup();
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: {}, write: 'natural' });
    await settle();
    assert.equal(s.check.phase.value, 'waiting');
    assert.equal(s.check.running.value, s.fleetKey);
    s.check.cancel();
    const result = await done;
    assert.equal(result.error, 'Cancelled');
    assert.deepEqual(s.commands.filter((c) => c.startsWith('unsubscribe')), ['unsubscribe a fanout-x1', 'unsubscribe b fanout-x1']);
    assert.equal(s.check.running.value, null);
  });

  it('refuses before subscribing: a where a throwaway object cannot match, a write without a master key', async () => {
    const s = setup();
    await assert.rejects(s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { score: { $gt: 3 } }, write: 'create' }), /plain equalities/);
    const noKey = setup({ noMasterKey: true });
    await assert.rejects(noKey.check.run({ fleetKey: noKey.fleetKey, className: 'Message', where: {}, write: 'update' }), /master key/);
    assert.deepEqual([...s.commands, ...noKey.commands], []);
    assert.equal(s.check.running.value, null);
  });

  it('a failed write ends the check with the error, and still removes its subscriptions', async () => {
    const s = setup();
    s.rest.nextWriteError = new Error('Permission denied (code 119)');
    const result = await s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    assert.equal(result.error, 'Permission denied (code 119)');
    assert.deepEqual(s.commands.filter((c) => c.startsWith('unsubscribe')), ['unsubscribe a fanout-x1', 'unsubscribe b fanout-x1']);
    assert.match(s.records[0]!.summary, /stopped: Permission denied/);
    assert.equal(s.records[0]!.kind, 'error');
  });

  it('says what it could not clean up (a delete that failed)', async () => {
    const s = setup();
    const done = s.check.run({ fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' });
    await settle();
    s.check.receive([s.event('a', 1, 'new1'), s.event('b', 2, 'new1')]);
    s.rest.nextWriteError = new Error('unreachable');
    const result = await done;
    assert.deepEqual(result.leftovers, ['throwaway Message new1: unreachable']);
    assert.match(s.records[0]!.summary, /not cleaned up: throwaway Message new1/);
  });

  it('waits for its runner’s chunk before subscribing, and a chunk that fails to load is a clear refusal', async () => {
    let arrive!: (module: typeof runner) => void;
    const s = setup({ importRunner: () => new Promise((resolve) => (arrive = resolve)) });
    const request: FanoutRequest = { fleetKey: s.fleetKey, className: 'Message', where: { room: 'lobby' }, write: 'create' };
    const done = s.check.run(request);
    await settle();
    assert.deepEqual(s.commands, [], 'nothing subscribed before the runner arrives');
    arrive(runner);
    await settle();
    assert.equal(s.commands.length, 2);
    s.check.receive([s.event('a', 1, 'new1'), s.event('b', 2, 'new1')]);
    assert.deepEqual((await done).nodes.map((n) => n.verdict), ['delivered', 'delivered']);

    let fail = true;
    const failing = setup({ importRunner: () => (fail ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(runner)) });
    const again = { ...request, fleetKey: failing.fleetKey };
    await assert.rejects(failing.check.run(again), /^Error: Could not load the fan-out check: Failed to fetch dynamically imported module\. If the extension was updated or reloaded, close and reopen DevTools\.$/);
    assert.deepEqual(failing.commands, []);
    assert.equal(failing.check.running.value, null);
    fail = false;
    const retried = failing.check.run(again);
    await settle();
    failing.check.receive([failing.event('a', 1, 'new1'), failing.event('b', 2, 'new1')]);
    assert.deepEqual((await retried).nodes.map((n) => n.verdict), ['delivered', 'delivered'], 'a retry loads it');
  });

  it('sweeps check subscriptions a closed panel left behind', () => {
    const s = setup();
    s.update('a', (v) => ({ ...v, subscriptions: [{ id: 'fanout-old', query: { className: 'M', where: {} }, state: 'subscribed', counts: emptyCounts() }, { id: 'mine', query: { className: 'M', where: {} }, state: 'subscribed', counts: emptyCounts() }] }));
    s.check.sweep(s.servers.value);
    assert.deepEqual(s.commands, ['unsubscribe a fanout-old']);
  });
});

describe('fan-out writes', () => {
  it('a throwaway object takes the where’s plain equalities, and only when it then matches', () => {
    assert.deepEqual(throwawayFields('M', { room: 'lobby', n: { $eq: 2 } }), { room: 'lobby', n: 2 });
    assert.deepEqual(throwawayFields('M', {}), {});
    assert.equal(throwawayFields('M', { n: { $gt: 2 } }), undefined);
    assert.equal(throwawayFields('M', { n: { $eq: 2, $exists: true } }), undefined);
    assert.deepEqual(throwawayFields('M', { owner: { __type: 'Pointer', className: '_User', objectId: 'u' } }), { owner: { __type: 'Pointer', className: '_User', objectId: 'u' } });
    assert.equal(throwawayFields('M', { $or: [{ a: 1 }] }), undefined);
    assert.equal(throwawayFields('M', { objectId: 'x' }), undefined);
  });

  it('an update saves one field as it is: a plain one first, never a relation or a reserved field', () => {
    assert.deepEqual(resaveField({ objectId: 'o', ACL: {}, tags: ['a'], score: 3 }), { score: 3 });
    assert.deepEqual(resaveField({ objectId: 'o', tags: ['a'], rel: { __type: 'Relation', className: 'X' } }), { tags: ['a'] });
    assert.equal(resaveField({ objectId: 'o', rel: { __type: 'Relation', className: 'X' } }), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { ServerView } from '../../src/views.js';
import { createFleetsStore, groupFleets } from './fleets.js';
import { serverView, workerRecords } from './fakes.js';

describe('groupFleets', () => {
  it('groups entries of the same app id and REST URL; a different REST URL or app is another fleet', () => {
    const fleets = groupFleets([
      serverView('a', { url: 'ws://node1.test:1337/parse', spec: { serverURL: 'ws://node1.test:1337/parse', applicationId: 'app', restURL: 'http://api.test/parse' } }),
      serverView('b', { spec: { serverURL: 'ws://node2.test:1338/', applicationId: 'app', restURL: 'http://api.test/parse/' } }),
      serverView('c', { spec: { serverURL: 'ws://node3.test/', applicationId: 'other', restURL: 'http://api.test/parse' } }),
      serverView('d', { spec: { serverURL: 'ws://lonely.test/', applicationId: 'app' } }),
    ]);
    assert.deepEqual(
      fleets.map((f) => [f.name, f.byHand, f.nodes.map((n) => n.name)]),
      [['app', false, ['node1.test:1337/parse', 'node2.test:1338']]],
      'the trailing slash of a REST URL does not split a fleet; a fleet of one is no fleet',
    );
  });

  it('follows the choices made by hand: a group across apps, an entry kept alone', () => {
    const fleets = groupFleets([
      serverView('a', { spec: { serverURL: 'ws://x.test/', applicationId: 'app' }, fleet: { type: 'group', groupId: 'g' } }),
      serverView('b', { spec: { serverURL: 'ws://y.test/', applicationId: 'app2' }, fleet: { type: 'group', groupId: 'g' } }),
      serverView('c', { spec: { serverURL: 'ws://x.test/', applicationId: 'app' }, fleet: { type: 'alone' } }),
      serverView('d', { spec: { serverURL: 'ws://x.test/', applicationId: 'app', label: 'twin' } }),
    ]);
    assert.deepEqual(fleets.map((f) => [f.key, f.byHand, f.nodes.map((n) => n.server.id)]), [['group:g', true, ['a', 'b']]]);
    assert.equal(fleets[0]!.name, 'app + app2');
  });

  it('an entry with N sockets to one URL is a fleet of its sockets, named #1…#N; the same host twice is numbered', () => {
    const fleets = groupFleets([
      serverView('a', { sockets: 3 }),
      serverView('a~2', { socketOf: { serverId: 'a', index: 2 } }),
      serverView('a~3', { socketOf: { serverId: 'a', index: 3 } }),
      serverView('p', { app: 'p' }),
      serverView('q', { app: 'p' }),
    ]);
    assert.deepEqual(
      fleets.map((f) => f.nodes.map((n) => n.name)),
      [
        ['a.test/parse #1', 'a.test/parse #2', 'a.test/parse #3'],
        ['a.test/parse', 'a.test/parse (2)'],
      ],
    );
  });
});

describe('fleets store', () => {
  function setup() {
    const servers = signal<ServerView[]>([serverView('a', { clientId: 'c1' }), serverView('b', { clientId: 'c2' })]);
    let time = 1000;
    const store = createFleetsStore({ servers, now: () => time });
    store.observe(servers.value);
    return { servers, store, at: (t: number) => (time = t) };
  }

  it('names every node "fleet · node" for the Source column', () => {
    const { store } = setup();
    assert.deepEqual([...store.sourceNames.value], [
      ['server:a', 'app · a.test/parse'],
      ['server:b', 'app · a.test/parse (2)'],
    ]);
  });

  it('notes when a node’s clientId changes, when it goes down and when it is back', () => {
    const { store, at } = setup();
    at(2000);
    store.observe([serverView('a', { state: 'reconnecting', clientId: undefined }), serverView('b', { clientId: 'c2' })]);
    assert.equal(store.stats.value.get('a')!.downSince, 2000);
    at(3000);
    store.observe([serverView('a', { clientId: 'c9' }), serverView('b', { clientId: 'c2' })]);
    assert.deepEqual(store.stats.value.get('a'), { clientId: 'c9', clientIdChange: { at: 3000, from: 'c1', to: 'c9' }, lastDown: { from: 2000, to: 3000 } });
    assert.deepEqual(store.stats.value.get('b'), { clientId: 'c2' }, 'a node that stayed up and kept its clientId has nothing to say');
  });

  it('measures each node’s event latency vs updatedAt and vs the fastest node for the same event', () => {
    const { store } = setup();
    const records = workerRecords();
    const updatedAt = '2026-12-02T10:00:00.000Z';
    const base = Date.parse(updatedAt);
    const event = (serverId: string, time: number, objectId = 'o1', at = updatedAt) => ({
      ...records.event('update', `server:${serverId}/s`, { className: 'Game', objectId, updatedAt: at }),
      source: { type: 'server' as const, serverId },
      time: base + time,
    });
    store.receive([event('a', 20), event('b', 50), event('a', 20), event('a', 30, 'o2'), event('b', 130, 'o2')]);
    store.receive([{ ...event('b', 10, 'o3'), raw: '{"op":"update","object":' }]);
    const a = store.stats.value.get('a')!;
    const b = store.stats.value.get('b')!;
    assert.deepEqual(a.vsUpdatedAt, { p50: 20, max: 30, count: 2 }, 'the same event twice on one node counts once');
    assert.deepEqual(a.vsFastest, { p50: 0, max: 0, count: 2 });
    assert.deepEqual(b.vsUpdatedAt, { p50: 50, max: 130, count: 2 }, 'a cut frame has no updatedAt to read');
    assert.deepEqual(b.vsFastest, { p50: 30, max: 100, count: 3 });
  });

  it('ignores servers that are in no fleet', () => {
    const servers = signal<ServerView[]>([serverView('a'), serverView('z', { app: 'solo' })]);
    const store = createFleetsStore({ servers, now: () => 0 });
    const records = workerRecords();
    store.receive([{ ...records.event('create', 'server:z/s', { className: 'G', objectId: 'o', updatedAt: '2026-12-02T10:00:00Z' }), source: { type: 'server', serverId: 'z' } }]);
    assert.equal(store.stats.value.get('z'), undefined);
  });
});

describe('grouping by hand', () => {
  it('joins the other entry’s group, or makes a new group of the two; alone and auto are kept as chosen', async () => {
    const commands: unknown[] = [];
    const servers = signal<ServerView[]>([serverView('a'), serverView('b', { fleet: { type: 'group', groupId: 'g-1' } }), serverView('c')]);
    const connections = {
      setServerFleet: async (serverId: string, fleet: unknown) => void commands.push([serverId, fleet]),
      setServerSockets: async (serverId: string, sockets: number) => void commands.push([serverId, sockets]),
    };
    const store = createFleetsStore({ servers, now: () => 0, connections, newId: () => 'new' });
    await store.groupWith('a', 'b');
    await store.groupWith('a', 'c');
    await store.setChoice('a', 'alone');
    await store.setSockets('a', 3);
    assert.deepEqual(commands, [
      ['a', { type: 'group', groupId: 'g-1' }],
      ['c', { type: 'group', groupId: 'g-new' }],
      ['a', { type: 'group', groupId: 'g-new' }],
      ['a', { type: 'alone' }],
      ['a', 3],
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueArea } from '../persistence.js';
import { Workspace, type PersistedWorkspace } from '../workspace.js';
import { MAX_FORMER_SERVERS, ServerRegistry } from './server-registry.js';

function memoryArea(initial: Record<string, unknown> = {}): KeyValueArea & { items: Map<string, unknown> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    get: async () => Object.fromEntries([...items].map(([k, v]) => [k, structuredClone(v)])),
    set: async (values) => {
      for (const [k, v] of Object.entries(values)) items.set(k, structuredClone(v));
    },
    remove: async (key) => {
      items.delete(key);
    },
  };
}

function workspace(tabId: number, registry: ServerRegistry, persisted?: PersistedWorkspace) {
  const changed: string[] = [];
  const ws = new Workspace(
    tabId,
    {
      epoch: 'e',
      registry,
      sink: { recordAdded: () => undefined, viewChanged: (_tab, what) => changed.push(what) },
      persist: () => undefined,
    },
    persisted,
  );
  return { ws, changed };
}

const SPEC = { serverURL: 'ws://a.test/parse', applicationId: 'app', javascriptKey: 'js-key', label: 'staging' };

describe('ServerRegistry', () => {
  it('is saved whole and read back; malformed entries are left out', async () => {
    const area = memoryArea();
    const registry = new ServerRegistry(area);
    const a = registry.add(SPEC);
    registry.add({ serverURL: 'ws://b.test/', applicationId: 'b' });
    registry.setEnabled(a.id, false);
    registry.remove(registry.list()[1]!.id);
    await Promise.resolve();
    const again = new ServerRegistry(area);
    await again.load();
    assert.deepEqual(again.list(), [{ id: a.id, spec: SPEC, enabled: false }]);
    assert.deepEqual(again.formerServers().map((f) => f.serverURL), ['ws://b.test/']);

    const broken = new ServerRegistry(memoryArea({ servers: { servers: [{ id: 1 }, { id: 'ok', spec: SPEC, enabled: true }], former: 'x' } }));
    await broken.load();
    assert.deepEqual(broken.list().map((s) => s.id), ['ok']);
    assert.deepEqual(broken.formerServers(), []);
  });

  it('keeps a removed server’s name and URL, never its keys, and a bounded number of them', () => {
    const registry = new ServerRegistry();
    const { id } = registry.add(SPEC);
    registry.remove(id);
    assert.deepEqual(registry.formerServers(), [{ id, serverURL: SPEC.serverURL, label: 'staging' }]);
    for (let i = 0; i < MAX_FORMER_SERVERS + 5; i++) registry.remove(registry.add({ serverURL: `ws://s${i}.test/`, applicationId: 'x' }).id);
    assert.equal(registry.formerServers().length, MAX_FORMER_SERVERS);
    assert.throws(() => registry.remove('nope'), /No server nope/);
  });
});

describe('servers shared by every tab', () => {
  it('a server added in one tab shows at once in every tab, with its own subscriptions per tab; removed everywhere', async () => {
    const registry = new ServerRegistry();
    const one = workspace(1, registry);
    const two = workspace(2, registry);
    await one.ws.run({ type: 'addServer', commandId: 'c', spec: SPEC });
    await two.ws.run({ type: 'addServer', commandId: 'c', spec: { ...SPEC } });
    assert.equal(registry.list().length, 1, 'the same settings added in another tab are the same server');
    const [server] = two.ws.serverViews();
    assert.equal(server?.spec.serverURL, SPEC.serverURL, 'the other tab has it');
    assert.ok(two.changed.includes('servers'), 'and its panel is told');

    await two.ws.run({ type: 'subscribe', commandId: 'c', serverId: server!.id, query: { className: 'Game', where: {} } });
    assert.equal(two.ws.serverViews()[0]!.subscriptions.length, 1);
    assert.equal(one.ws.serverViews()[0]!.subscriptions.length, 0, 'subscriptions stay per tab');

    await two.ws.run({ type: 'editServer', commandId: 'c', serverId: server!.id, spec: { ...SPEC, label: 'prod' } });
    assert.equal(one.ws.serverViews()[0]!.spec.label, 'prod');
    await one.ws.run({ type: 'setServerEnabled', commandId: 'c', serverId: server!.id, enabled: false });
    assert.equal(two.ws.serverViews()[0]!.enabled, false);

    await one.ws.run({ type: 'removeServer', commandId: 'c', serverId: server!.id });
    assert.deepEqual(two.ws.serverViews(), []);
    assert.deepEqual(two.ws.formerServers(), [{ id: server!.id, serverURL: SPEC.serverURL, label: 'prod' }]);
    await assert.rejects(two.ws.run({ type: 'subscribe', commandId: 'c', serverId: server!.id, query: { className: 'Game', where: {} } }), /No server/);
    await Promise.all([one.ws.dispose(), two.ws.dispose()]);
  });

  it('takes over the servers an earlier version kept per tab, with their subscriptions', async () => {
    const registry = new ServerRegistry();
    const persisted: PersistedWorkspace = {
      tabId: 3,
      servers: [{ id: 'old1', spec: SPEC, enabled: true, subscriptions: [{ id: 'sub1', query: { className: 'Game', where: {} } }] }],
    };
    const restored = workspace(3, registry, persisted);
    const other = workspace(4, registry);
    assert.deepEqual(registry.list(), [{ id: 'old1', spec: SPEC, enabled: true }]);
    assert.deepEqual(restored.ws.serverViews()[0]!.subscriptions.map((s) => s.id), ['sub1']);
    assert.deepEqual(other.ws.serverViews().map((s) => [s.id, s.subscriptions.length]), [['old1', 0]]);
    await Promise.all([restored.ws.dispose(), other.ws.dispose()]);
  });
});

describe('fleets in the shared registry', () => {
  it('keeps a fleet chosen by hand and the sockets of an entry, shows both to every tab, and reads them back', async () => {
    const area = memoryArea();
    const registry = new ServerRegistry(area);
    const one = workspace(1, registry);
    const two = workspace(2, registry);
    await one.ws.run({ type: 'addServer', commandId: 'c', spec: SPEC });
    const id = registry.list()[0]!.id;
    two.changed.length = 0;
    await one.ws.run({ type: 'setServerFleet', commandId: 'c', serverId: id, fleet: { type: 'group', groupId: 'g1' } });
    assert.deepEqual(two.ws.serverViews()[0]!.fleet, { type: 'group', groupId: 'g1' });
    assert.ok(two.changed.includes('servers'), 'the other tab’s panel is told of a fleet choice, which changes no connection');

    await one.ws.run({ type: 'setServerSockets', commandId: 'c', serverId: id, sockets: 3 });
    const views = two.ws.serverViews();
    assert.deepEqual(
      views.map((v) => [v.id, v.sockets, v.socketOf]),
      [
        [id, 3, undefined],
        [`${id}~2`, undefined, { serverId: id, index: 2 }],
        [`${id}~3`, undefined, { serverId: id, index: 3 }],
      ],
      'each extra socket is a connection of its own, listed after its entry',
    );
    await two.ws.run({ type: 'subscribe', commandId: 'c', serverId: `${id}~3`, query: { className: 'Game', where: {} }, subscriptionId: 'fanout-1' });
    assert.deepEqual(two.ws.serverViews()[2]!.subscriptions.map((s) => s.id), ['fanout-1'], 'the panel chose the id');
    await assert.rejects(
      two.ws.run({ type: 'subscribe', commandId: 'c', serverId: `${id}~3`, query: { className: 'Game', where: {} }, subscriptionId: 'fanout-1' }),
      /already a subscription fanout-1/,
    );
    assert.deepEqual(two.ws.persisted().servers.map((s) => s.id), [id], 'extra sockets are not restored as entries of their own');
    await assert.rejects(one.ws.run({ type: 'setServerSockets', commandId: 'c', serverId: id, sockets: 9 }), /1 to 8 connections/);

    await one.ws.run({ type: 'setServerSockets', commandId: 'c', serverId: `${id}~2`, sockets: 2 });
    assert.deepEqual(two.ws.serverViews().map((v) => v.id), [id, `${id}~2`], 'fewer sockets close the last ones');

    await Promise.resolve();
    const again = new ServerRegistry(area);
    await again.load();
    assert.deepEqual(again.list(), [{ id, spec: SPEC, enabled: true, fleet: { type: 'group', groupId: 'g1' }, sockets: 2 }]);
    again.setFleet(id, { type: 'auto' });
    again.setSockets(id, 1);
    assert.deepEqual(again.list(), [{ id, spec: SPEC, enabled: true }], 'the defaults are not stored');
    await Promise.all([one.ws.dispose(), two.ws.dispose()]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type PageSocketView, type PageSubscriptionView } from '../../src/views.js';
import { cleanSpec, createConnectionsStore } from './connections.js';
import { fakePort } from './fakes.js';

const query = { className: 'Game', where: { score: 1 } };

describe('createConnectionsStore', () => {
  it('sends each command to the service worker with its arguments', async () => {
    const port = fakePort();
    const connections = createConnectionsStore(port);
    await connections.setServerEnabled('s', false);
    await connections.removeServer('s');
    await connections.subscribe('s', query, 'r:alice');
    await connections.unsubscribe('s', 'sub');
    await connections.updateSubscription('s', 'sub', query);
    await connections.setSubscriptionToken('s', 'sub', undefined, 'anonymous');
    assert.deepEqual(port.commands, [
      { type: 'setServerEnabled', serverId: 's', enabled: false },
      { type: 'removeServer', serverId: 's' },
      { type: 'subscribe', serverId: 's', query, sessionToken: 'r:alice' },
      { type: 'unsubscribe', serverId: 's', subscriptionId: 'sub' },
      { type: 'updateSubscription', serverId: 's', subscriptionId: 'sub', query },
      { type: 'setSubscriptionToken', serverId: 's', subscriptionId: 'sub', sessionToken: undefined, tokenLabel: 'anonymous' },
    ]);
  });

  it('adds and edits servers with the spec as typed, trimmed and without empty fields', async () => {
    const port = fakePort();
    const connections = createConnectionsStore(port);
    const typed = { serverURL: ' ws://a.test/parse ', applicationId: 'app ', javascriptKey: '  ', masterKey: 'mk', label: '' };
    await connections.addServer(typed);
    await connections.editServer('s', typed);
    const clean = { serverURL: 'ws://a.test/parse', applicationId: 'app', masterKey: 'mk' };
    assert.deepEqual(cleanSpec(typed), clean);
    assert.deepEqual(port.commands, [
      { type: 'addServer', spec: clean },
      { type: 'editServer', serverId: 's', spec: clean },
    ]);
  });

  it('passes on the service worker’s refusal', async () => {
    const port = fakePort();
    const connections = createConnectionsStore(port);
    port.nextError = 'Unknown server';
    await assert.rejects(connections.removeServer('gone'), /Unknown server/);
  });

  it('adopts a page subscription on the page socket’s server, with its keys and token', async () => {
    const port = fakePort();
    const connections = createConnectionsStore(port);
    const socket: PageSocketView = {
      id: 'p',
      frameId: 0,
      frameUrl: 'https://app.test/',
      generation: 1,
      url: 'ws://app.test/parse',
      state: 'open',
      applicationId: 'app',
      javascriptKey: 'js',
      sessionToken: 'r:socket',
      subscriptions: [],
    };
    const sub: PageSubscriptionView = { requestId: 1, query, state: 'subscribed', counts: emptyCounts() };
    await connections.adoptPageSubscription(socket, sub);
    await connections.adoptPageSubscription(socket, { ...sub, sessionToken: 'r:sub' });
    assert.deepEqual(port.commands, [
      { type: 'adoptPageSubscription', spec: { serverURL: 'ws://app.test/parse', applicationId: 'app', javascriptKey: 'js' }, query, sessionToken: 'r:socket' },
      { type: 'adoptPageSubscription', spec: { serverURL: 'ws://app.test/parse', applicationId: 'app', javascriptKey: 'js' }, query, sessionToken: 'r:sub' },
    ]);
    await assert.rejects(connections.adoptPageSubscription({ ...socket, applicationId: undefined }, sub), /which app/);
    await assert.rejects(
      connections.adoptPageSubscription(socket, { ...sub, query: { className: sub.query.className, where: {} }, queryOmitted: 'tooLarge' }),
      /not kept \(too large\)/,
      'a query kept as its class only is not subscribed to as the whole class',
    );
    let where: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 50_000; i++) where = { $or: [where] };
    await assert.rejects(connections.adoptPageSubscription(socket, { ...sub, query: { className: 'G', where } }), /deeper than 100 levels/);
    assert.equal(port.commands.length, 2, 'a query too deep to send is not sent');
  });

  it('follows the port’s status; tells the worker to clear its backlog and whether to preserve the log', () => {
    const port = fakePort();
    const connections = createConnectionsStore(port);
    assert.equal(connections.connected.value, false);
    port.setStatus(true);
    assert.equal(connections.connected.value, true);
    connections.clearBacklog();
    connections.setPreserveLog(true);
    assert.deepEqual(port.sent, [{ type: 'clearBacklog' }, { type: 'setPreserveLog', on: true }]);
  });
});

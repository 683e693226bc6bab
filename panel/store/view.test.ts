import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { ServerView } from '../../src/views.js';
import { createViewStore } from './view.js';

const server = (id: string): ServerView => ({
  id,
  spec: { serverURL: `ws://${id}.test`, applicationId: 'app' },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: [],
});

describe('createViewStore', () => {
  it('keeps the selected server across reconnects while it exists, else selects the first', () => {
    const servers = signal<ServerView[]>([]);
    const view = createViewStore(servers);
    view.followServers([]);
    assert.equal(view.selectedServerId.value, null);
    assert.equal(view.selectedServer.value?.id, undefined);
    servers.value = [server('a'), server('b')];
    view.followServers(servers.value);
    assert.equal(view.selectedServerId.value, 'a');
    view.selectServer('b');
    view.followServers(servers.value);
    assert.equal(view.selectedServer.value?.id, 'b');
    servers.value = [server('a')];
    assert.equal(view.selectedServer.value?.id, 'a', 'a removed server falls back to the first at once');
    view.followServers(servers.value);
    assert.equal(view.selectedServerId.value, 'a');
  });

  it('names the composer’s server with the same object until its id, name or key changes', () => {
    const servers = signal<ServerView[]>([server('a')]);
    const view = createViewStore(servers);
    const target = view.composerTarget.value;
    assert.deepEqual(target, { serverId: 'a', title: 'ws://a.test', serverKey: target?.serverKey });
    servers.value = [{ ...server('a'), attempt: 3 }];
    assert.equal(view.composerTarget.value, target, 'a change the composer does not show keeps the object');
    servers.value = [{ ...server('a'), spec: { ...server('a').spec, label: 'prod' } }];
    assert.equal(view.composerTarget.value?.title, 'prod');
    servers.value = [];
    assert.equal(view.composerTarget.value, null);
  });

  it('switches the main area between the timeline and a subscription’s results', () => {
    const view = createViewStore(signal([]));
    assert.deepEqual(view.main.value, { type: 'timeline' });
    view.showResults({ subscriptionKey: 'p:1', title: 'page #1 Note' });
    assert.deepEqual(view.main.value, { type: 'results', subscriptionKey: 'p:1', title: 'page #1 Note' });
    view.showTimeline();
    assert.deepEqual(view.main.value, { type: 'timeline' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { PageSocketView } from '../../src/views.js';
import { emptyCounts } from '../../src/views.js';
import { fakePort, workerRecords } from './fakes.js';
import { createInjectStore } from './inject.js';

function pageSocket(state: PageSocketView['state'] = 'open'): PageSocketView {
  return {
    id: 'sock-1',
    frameId: 0,
    frameUrl: 'https://app.test/',
    generation: 1,
    url: 'wss://app.test/parse',
    state,
    subscriptions: [{ requestId: 2, query: { className: 'Message', where: {} }, state: 'subscribed', counts: emptyCounts() }],
  };
}

function setup() {
  const port = fakePort();
  const sockets = signal<PageSocketView[]>([pageSocket()]);
  const store = createInjectStore({ run: (command) => port.run(command), sockets, now: () => Date.UTC(2026, 11, 2) });
  return { port, sockets, store };
}

describe('inject store', () => {
  it('opens an editor with an object of the subscription’s class and injects the edited event', async () => {
    const { port, store } = setup();
    store.open('sock-1', 2, 'Message');
    const object = JSON.parse(store.objectText.value) as Record<string, unknown>;
    assert.equal(object.className, 'Message');
    store.setObjectText(JSON.stringify({ ...object, text: 'hello' }));
    store.setOp('update');
    store.setOriginalText(JSON.stringify({ ...object, text: 'before' }));
    await store.send();
    assert.deepEqual(store.status.value, { state: 'sent', op: 'update' });
    assert.deepEqual(port.commands, [
      {
        type: 'injectPageEvent',
        socketId: 'sock-1',
        requestId: 2,
        event: { op: 'update', object: { ...object, text: 'hello' }, original: { ...object, text: 'before' } },
      },
    ]);
  });

  it('sends nothing for invalid JSON, a closed socket, or an unknown requestId, and says why', async () => {
    const { port, sockets, store } = setup();
    store.open('sock-1', 2, 'Message');
    store.setObjectText('{"className": "Message", ');
    await store.send();
    assert.equal(store.status.value.state, 'error');
    assert.match((store.status.value as { error: string }).error, /^object: invalid JSON/);
    store.open('sock-1', 7, 'Message');
    await store.send();
    assert.match((store.status.value as { error: string }).error, /no subscription with requestId 7/);
    sockets.value = [pageSocket('closed')];
    store.open('sock-1', 2, 'Message');
    await store.send();
    assert.match((store.status.value as { error: string }).error, /the page socket is closed: nothing was injected/);
    assert.deepEqual(port.commands, []);
  });

  it('shows the worker’s refusal (e.g. the hook found the socket closed)', async () => {
    const { port, store } = setup();
    store.open('sock-1', 2, 'Message');
    port.nextError = 'the page socket is closed: nothing was injected';
    await store.send();
    assert.deepEqual(store.status.value, { state: 'error', error: 'the page socket is closed: nothing was injected' });
  });

  it('sends a recorded page event again as it was, and only a page subscription’s whole event', async () => {
    const { port, store } = setup();
    const records = workerRecords();
    const recorded = {
      ...records.event('create', 'pageSocket:sock-1/2', { className: 'Message', objectId: 'm9' }),
      source: { type: 'pageSocket' as const, socketId: 'sock-1', frameId: 0 },
      requestId: 2,
    };
    assert.equal(store.canSendAgain(recorded), true);
    await store.sendAgain(recorded);
    assert.deepEqual(port.commands.at(-1), {
      type: 'injectPageEvent',
      socketId: 'sock-1',
      requestId: 2,
      event: { op: 'create', object: { className: 'Message', objectId: 'm9' } },
    });
    assert.equal(store.sentAgain.value?.ok, true);
    const serverEvent = records.event('create', 'server:s/x', { className: 'Message', objectId: 'm9' });
    assert.equal(store.canSendAgain(serverEvent), false);
    assert.equal(store.canSendAgain({ ...recorded, raw: '{"op":"create","requestId":2,"obj' }), false);
    assert.equal(store.openFrom(recorded), true);
    assert.deepEqual([store.op.value, store.target.value], ['create', { socketId: 'sock-1', requestId: 2, className: 'Message' }]);
  });
});

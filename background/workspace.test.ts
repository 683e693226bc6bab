import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import type { TimelineRecord } from '../src/timeline/record.js';
import { waitUntil } from '../test/harness/scripted-server.js';
import { ServerRegistry } from './servers/server-registry.js';
import { Workspace } from './workspace.js';

const MASTER_KEY = 'MK-0123456789-master';
const JS_KEY = 'js-key-0123456789';

describe('Workspace masks secrets in what it shows', () => {
  let echo: WebSocketServer;
  let url: string;
  before(async () => {
    echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => echo.once('listening', resolve));
    echo.on('connection', (socket) => socket.on('message', (data) => socket.send(String(data))));
    url = `ws://127.0.0.1:${(echo.address() as { port: number }).port}/`;
  });
  after(() => new Promise<void>((resolve) => {
    for (const client of echo.clients) client.terminate();
    echo.close(() => resolve());
  }));

  it('an endpoint echoing the connect frame puts no key in summaries, markers or the server error', async () => {
    const records: TimelineRecord[] = [];
    const workspace = new Workspace(1, {
      epoch: 'e',
      registry: new ServerRegistry(),
      sink: { recordAdded: (_tab, record) => records.push(record), viewChanged: () => undefined },
      persist: () => undefined,
      WebSocket: WebSocket as never,
    });
    try {
      workspace.activate();
      await workspace.run({ type: 'addServer', commandId: 'c1', spec: { serverURL: url, applicationId: 'app', javascriptKey: JS_KEY, masterKey: MASTER_KEY } });
      await waitUntil(() => records.some((r) => r.kind !== 'sent' && r.raw?.includes(MASTER_KEY) === true), 'the echoed connect frame', 5000);
      await waitUntil(() => workspace.serverViews()[0]?.lastError !== undefined, 'a verdict on the endpoint', 5000);
      const shown = JSON.stringify([records.map((r) => [r.label, r.summary, r.marker]), workspace.serverViews().map((v) => [v.lastError, v.subscriptions])]);
      assert.ok(!shown.includes(MASTER_KEY), `no master key in ${shown}`);
      assert.ok(!shown.includes(JS_KEY), 'no JavaScript key');
      assert.match(shown, /\[redacted\]/);
      assert.ok(records.some((r) => r.raw?.includes(MASTER_KEY)), 'the raw frame keeps its text (masked in the panel, redacted in exports)');
    } finally {
      await workspace.dispose();
    }
  });
});

describe('Workspace: the panel injects into a page subscription', () => {
  const T = 1_800_000_000_000;
  const frame = (text: string, direction: 'sent' | 'received' = 'sent') => ({ type: 'frame' as const, socketId: 'pg-1', direction, text, time: T });

  function setup(outcome: 'delivered' | 'closed' | 'unknownSocket' | 'noHook') {
    const asked: { tabId: number; frameId: number; socketId: string; text: string }[] = [];
    const workspace = new Workspace(4, {
      epoch: 'e',
      registry: new ServerRegistry(),
      sink: { recordAdded: () => undefined, viewChanged: () => undefined },
      persist: () => undefined,
      injectIntoPage: async (tabId, frameId, request) => {
        asked.push({ tabId, frameId, socketId: request.socketId, text: request.text });
        return outcome;
      },
    });
    workspace.onPageSocketEvents(2, 'http://app.test/', [
      { type: 'created', socketId: 'pg-1', url: 'wss://app.test/parse', time: T },
      { type: 'open', socketId: 'pg-1', time: T },
      frame('{"op":"connect","applicationId":"app"}'),
      frame('{"op":"connected","clientId":"cl-9"}', 'received'),
      frame('{"op":"subscribe","requestId":3,"query":{"className":"Message","where":{}}}'),
    ], {});
    return { workspace, asked };
  }
  const event = { op: 'create' as const, object: { className: 'Message', objectId: 'm1' } };

  it("sends the Parse Server frame (the socket's clientId, the page's requestId) to the relay of the socket's frame", async () => {
    const { workspace, asked } = setup('delivered');
    await workspace.run({ type: 'injectPageEvent', commandId: 'c', socketId: 'pg-1', requestId: 3, event });
    assert.deepEqual(asked, [
      { tabId: 4, frameId: 2, socketId: 'pg-1', text: '{"op":"create","clientId":"cl-9","requestId":3,"object":{"className":"Message","objectId":"m1"}}' },
    ]);
    await workspace.dispose();
  });

  it('fails with the reason when the hook could not deliver it, or before asking when the target is unknown', async () => {
    const { workspace, asked } = setup('closed');
    await assert.rejects(workspace.run({ type: 'injectPageEvent', commandId: 'c', socketId: 'pg-1', requestId: 3, event }), /the page socket is closed: nothing was injected/);
    await assert.rejects(workspace.run({ type: 'injectPageEvent', commandId: 'c', socketId: 'pg-1', requestId: 8, event }), /no subscription with requestId 8/);
    await assert.rejects(workspace.run({ type: 'injectPageEvent', commandId: 'c', socketId: 'pg-2', requestId: 3, event }), /unknown page socket pg-2/);
    assert.equal(asked.length, 1);
    await workspace.dispose();
  });
});

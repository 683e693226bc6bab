import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import type { TimelineRecord } from '../src/timeline/record.js';
import { waitUntil } from '../test/harness/scripted-server.js';
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

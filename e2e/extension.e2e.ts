// The extension end to end in real Chromium and the real DevTools: servers, subscriptions, events, reconnects,
// a stopped service worker, and every way a user's input or a server can be wrong.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { startTarget } from '../test/harness/targets.js';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, deleteObject, updateObject } from '../test/harness/rest.js';
import {
  byTestId,
  stopServiceWorker,
  waitForServiceWorkerRestart,
  type PanelHandle,
} from './harness/index.js';
import { addServer, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession();
const openPanel = async (): Promise<PanelHandle> => (await session.openPanel()).panel;

describe('against a real Parse Server', () => {
  let parse: ParseServerTarget;
  before(async () => {
    parse = await startTarget('parse-server');
  });
  after(() => parse.stop());

  test('add server → subscribe → create/update/delete through REST → the records appear', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey });
    await waitForServerState(panel, 'connected');
    assert.match(await panel.text(byTestId('client-id')), /clientId [0-9a-f-]{36}/);
    await subscribe(panel, { className: 'Game', where: '{"score":{"$gt":10}}' });
    await waitForSubscriptionState(panel, 'subscribed');

    const game = await createObject(parse, 'Game', { name: 'e2e', score: 20 });
    await waitForRow(panel, 'create', game.objectId);
    await updateObject(parse, 'Game', game.objectId, { score: 30 });
    await waitForRow(panel, 'update', 'changed score');
    await updateObject(parse, 'Game', game.objectId, { score: 5 });
    await waitForRow(panel, 'leave', game.objectId);
    await updateObject(parse, 'Game', game.objectId, { score: 50 });
    await waitForRow(panel, 'enter', game.objectId);
    await deleteObject(parse, 'Game', game.objectId);
    await waitForRow(panel, 'delete', game.objectId);
    assert.match(await panel.text(byTestId('subscription-counts')), /c1 u1 e1 l1 d1/);

    // The detail pane shows the record's JSON, and the update's field diff.
    await panel.click(`${byTestId('timeline-row')}[data-kind="update"]`);
    await panel.click(byTestId('detail-tab-diff'));
    assert.deepEqual(await panel.texts(`${byTestId('diff')} tbody tr`), ['~ score\t20\t30']);
    await panel.click(byTestId('detail-tab-raw'));
    const json = JSON.parse(await panel.text(byTestId('detail-json'))) as { op: string; object: { score: number }; original: { score: number } };
    assert.equal(json.op, 'update');
    assert.deepEqual([json.original.score, json.object.score], [20, 30]);
    assert.deepEqual(panel.errors, []);
    await panel.screenshot('devtools-livequery-panel.png');
  });
});

describe('against the embedded server (faults)', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('server killed and restarted → reconnecting with countdown, then resubscribed and events flow again', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Note' });
    await waitForSubscriptionState(panel, 'subscribed');

    const restarted = embedded.restart({ downMs: 2_500 });
    await waitForServerState(panel, 'reconnecting');
    const badge = await panel.text(byTestId('server-state'));
    assert.match(badge, /reconnecting · attempt \d+ in \d+\.\d s/);
    await restarted;
    await waitForServerState(panel, 'connected', 0, 40_000);
    await waitForSubscriptionState(panel, 'subscribed');
    await waitForRow(panel, 'gap', 'may have been missed');

    const note = await createObject(embedded, 'Note', { text: 'after restart' });
    await waitForRow(panel, 'create', note.objectId);
    const creates = (await rowTexts(panel)).filter((r) => r.kind === 'create');
    assert.equal(creates.length, 1, 'no duplicated events after the resubscribe');
  });

  test('service worker stopped → connections and subscriptions come back and the panel keeps working', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Item', where: '{"kind":"sw"}' });
    await waitForSubscriptionState(panel, 'subscribed');

    await stopServiceWorker(session.harness);
    await waitForServiceWorkerRestart(session.harness, { timeoutMs: 20_000 });
    await waitForRow(panel, 'connection', 'restored after the service worker restarted', 20_000);
    await waitForServerState(panel, 'connected', 0, 20_000);
    await waitForSubscriptionState(panel, 'subscribed');
    assert.equal(await panel.count(byTestId('subscription')), 1);

    const item = await createObject(embedded, 'Item', { kind: 'sw' });
    await waitForRow(panel, 'create', item.objectId);
  });

  test('bad input: invalid URL, refused connection, wrong key, an echo server, invalid where JSON', { timeout: 90_000 }, async () => {
    const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    echo.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString())));
    await new Promise((resolve) => echo.once('listening', resolve));
    const echoURL = `ws://127.0.0.1:${(echo.address() as { port: number }).port}/`;
    try {
      const panel = await openPanel();

      await addServer(panel, { serverURL: 'http://127.0.0.1/parse', applicationId: 'x' });
      assert.match(await panel.text(byTestId('server-form-error')), /must start with ws:\/\/ or wss:\/\//);
      assert.equal(await panel.count(byTestId('server')), 0, 'an invalid server is not added');
      await waitForRow(panel, 'error', 'must start with ws://');

      await addServer(panel, { serverURL: 'ws://127.0.0.1:9/parse', applicationId: 'refused' });
      await panel.waitFor(`document.querySelectorAll('[data-testid="server-error"]')[0]?.innerText.includes('Cannot reach')`);
      await waitForServerState(panel, 'reconnecting');

      await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: 'wrong-key' });
      await panel.waitFor(`[...document.querySelectorAll('[data-testid="server-error"]')].some((e) => e.innerText.includes('Key in request is not valid (code 4)'))`);
      await waitForServerState(panel, 'disconnected', 1);

      // The echo sends the connect frame back, keys and all: no view may show them in clear.
      const echoKeys = { javascriptKey: 'js-echo-key-0123456789', masterKey: 'MK-echo-master-0123456789' };
      await addServer(panel, { serverURL: echoURL, applicationId: 'echo', ...echoKeys });
      await panel.waitFor(
        `[...document.querySelectorAll('[data-testid="server-error"]')].some((e) => e.innerText.includes('does not look like a LiveQuery server'))`,
      );
      await panel.evaluate(() => {
        const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"]')];
        rows.reverse().find((row) => row.innerText.includes('masterKey'))?.setAttribute('data-e2e', 'echoed-connect');
      });
      await panel.click('[data-e2e="echoed-connect"]');
      await panel.waitFor(`!!document.querySelector('[data-testid="detail"]')`);
      const shown = await panel.evaluate<string>('document.body.innerText');
      for (const key of Object.values(echoKeys)) assert.ok(!shown.includes(key), `${key} is masked in the server card, rows and detail`);
      assert.match(shown, /\[redacted\]|••••/);

      await subscribe(panel, { className: 'Game', where: '{"score": ' });
      assert.match(await panel.text(byTestId('where-error')), /"where" is not valid JSON/);
      assert.match(await panel.text(byTestId('subscribe-error')), /"where" is not valid JSON/);
      await waitForRow(panel, 'error', 'not sent');
      assert.equal(await panel.evaluate<string>(`document.querySelector('[data-testid="subscribe-className"]').value`), 'Game', 'the form keeps what was typed');
      assert.equal(await panel.count(byTestId('server')), 3, 'no server was lost');
      assert.deepEqual(panel.errors.filter((e) => !e.includes('WebSocket')), []);
    } finally {
      for (const client of echo.clients) client.terminate();
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

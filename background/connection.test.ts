import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { delay, startScriptedServer, type ScriptedServer } from '../test/harness/scripted-server.js';
import { subscriptionKey } from '../src/timeline/keys.js';
import type { RecordDraft } from '../src/timeline/record.js';
import { MAX_RECORD_RAW_CHARS } from '../src/timeline/record-size.js';
import { Recorder } from './recorder.js';
import { ServerConnection } from './connection.js';

let server: ScriptedServer;
const connections: ServerConnection[] = [];

function makeConnection(serverURL = server.url, extra: { connectAnswerTimeoutMs?: number; random?: () => number } = {}) {
  const records: RecordDraft[] = [];
  let ids = 0;
  const connection = new ServerConnection(
    's1',
    { serverURL, applicationId: 'app', javascriptKey: 'js' },
    true,
    {
      emit: (draft) => records.push(draft),
      changed: () => undefined,
      persist: () => undefined,
      newId: () => `sub${++ids}`,
      WebSocket,
      random: () => 0,
      ...extra,
    },
  );
  connections.push(connection);
  return { connection, records };
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what}`);
    await delay(10);
  }
}

/** Subscribes to Game, starts the connection, and waits until the server confirmed the subscription. */
async function startSubscribed(connection: ServerConnection, sessionToken?: string) {
  const subId = connection.subscribe({ className: 'Game', where: {} }, sessionToken);
  const conn = server.nextConnection();
  connection.start();
  const c = await conn;
  await until(() => connection.view().subscriptions[0]?.state === 'subscribed', 'subscribed');
  return { subId, c };
}

before(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
  server.autoConnect = true;
});
after(() => server.close());

describe('ServerConnection', () => {
  it('records state changes and every frame, attributed to its subscription', async () => {
    const { connection, records } = makeConnection();
    const { subId, c } = await startSubscribed(connection, 'r:alice');
    c.send({ op: 'create', clientId: 'x', requestId: 1, object: { className: 'Game', objectId: 'g1' } });
    await until(() => records.some((r) => r.kind === 'create'), 'create record');
    const kinds = records.map((r) => `${r.kind}:${r.label}`);
    assert.deepEqual(kinds, [
      'connection:connecting',
      'sent:connect',
      'received:connected',
      'connection:connected',
      'sent:subscribe',
      'received:subscribed',
      'create:create',
    ]);
    const create = records.at(-1)!;
    const key = subscriptionKey({ type: 'server', serverId: 's1', subscriptionId: subId });
    assert.equal(create.subscriptionKey, key);
    assert.equal(records.find((r) => r.label === 'subscribe')?.subscriptionKey, key, 'the subscribe frame is attributed too');
    assert.deepEqual(records[0]!.marker, { type: 'connectionState', state: 'connecting', attempt: 1 });
    assert.deepEqual(records[0]!.source, { type: 'server', serverId: 's1' });
    assert.ok(records.every((r) => (r.marker === undefined) === (r.kind !== 'connection')), 'frames have no marker, states have one');
    assert.equal(create.className, 'Game');
    assert.equal(create.objectId, 'g1');
    assert.equal(connection.view().subscriptions[0]!.counts.create, 1);
    assert.equal(connection.view().clientId, 'client-1');
  });

  it('keeps a bounded part of a huge frame and says it was cut, while the event still counts', async () => {
    const { connection, records } = makeConnection();
    const { c } = await startSubscribed(connection);
    c.send({ op: 'create', clientId: 'x', requestId: 1, object: { className: 'Game', objectId: 'big', blob: 'x'.repeat(3_000_000) } });
    await until(() => records.some((r) => r.kind === 'create'), 'create record');
    const create = records.find((r) => r.kind === 'create')!;
    const kept = new Recorder('epoch', 1, { recordAdded: () => undefined }).record(create);
    assert.equal(kept.raw!.length, MAX_RECORD_RAW_CHARS);
    assert.equal(kept.rawLength, create.raw!.length);
    assert.ok(kept.rawLength! > 3_000_000);
    assert.match(kept.summary, /frame of 3\d{6} characters, cut/);
    assert.equal(create.objectId, 'big');
    assert.equal(connection.view().subscriptions[0]!.counts.create, 1);
  });

  it('marks the possible gap when a connection drops and is resubscribed', async () => {
    const { connection, records } = makeConnection();
    connection.subscribe({ className: 'Game', where: {} });
    let conn = server.nextConnection();
    connection.start();
    const first = await conn;
    await until(() => connection.view().subscriptions[0]?.state === 'subscribed', 'subscribed');
    conn = server.nextConnection();
    first.socket.terminate();
    await conn;
    await until(() => records.some((r) => r.kind === 'gap'), 'gap record');
    const gap = records.find((r) => r.kind === 'gap')!;
    assert.equal(gap.marker?.type, 'gap');
    assert.ok(gap.marker.type === 'gap' && gap.marker.to >= gap.marker.from);
    assert.equal(gap.marker.reason, 'connectionLost');
    assert.match(gap.summary, /may have been missed/);
  });

  it('switches a subscription token by unsubscribing and subscribing again', async () => {
    const { connection, records } = makeConnection();
    const { subId, c } = await startSubscribed(connection, 'r:alice');
    connection.setToken(subId, 'r:bob');
    await c.nextFrame((f) => f.op === 'subscribe' && f.sessionToken === 'r:bob');
    assert.deepEqual(c.received.slice(-2).map((f) => f.op), ['unsubscribe', 'subscribe']);
    const switched = records.find((r) => r.marker?.type === 'tokenSwitched');
    assert.deepEqual(switched?.marker, { type: 'tokenSwitched', subscriptionId: subId, anonymous: false });
    assert.equal(switched.subscriptionKey, subscriptionKey({ type: 'server', serverId: 's1', subscriptionId: subId }));
    await until(() => connection.view().subscriptions[0]?.state === 'subscribed', 'resubscribed');
    assert.equal(connection.view().subscriptions.length, 1);
  });

  it('explains a refused key and stops retrying', async () => {
    server.autoConnect = false;
    const { connection, records } = makeConnection();
    const conn = server.nextConnection();
    connection.start();
    const c = await conn;
    await c.nextFrame((f) => f.op === 'connect');
    c.send({ op: 'error', code: 4, error: 'Key in request is not valid', reconnect: true, requestId: null });
    await until(() => connection.view().state === 'disconnected', 'disconnected');
    assert.match(connection.view().lastError ?? '', /Key in request is not valid \(code 4\): check the JavaScript key/);
    assert.ok(records.some((r) => r.kind === 'error' && r.label === 'error 4'));
  });

  /** A WebSocket server on a free port that does `onMessage` with each message; counts its connections. */
  async function rawServer(onMessage: (socket: WebSocket, text: string) => void) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    let connectionCount = 0;
    wss.on('connection', (socket) => {
      connectionCount++;
      socket.on('message', (data) => onMessage(socket, data.toString()));
    });
    await new Promise((r) => wss.once('listening', r));
    return {
      url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`,
      connections: () => connectionCount,
      close: async () => {
        for (const c of wss.clients) c.terminate();
        await new Promise((r) => wss.close(r));
      },
    };
  }

  it('an echo server: says it is not a LiveQuery server at once and keeps retrying with back-off', async () => {
    const echo = await rawServer((socket, text) => socket.send(text));
    try {
      // 0.01 of each ceiling: 10 ms, 30 ms, 70 ms… between attempts.
      const { connection, records } = makeConnection(echo.url, { connectAnswerTimeoutMs: 60_000, random: () => 0.01 });
      connection.start();
      await until(() => connection.view().nextRetryAt !== undefined, 'a retry scheduled');
      const view = connection.view();
      assert.equal(view.state, 'reconnecting');
      assert.equal(view.verdict, 'notLiveQuery');
      assert.match(view.lastError ?? '', /does not look like a LiveQuery server/);
      assert.ok(records.some((r) => r.kind === 'error' && r.label === 'invalid frame'));
      assert.ok(
        records.some((r) => r.marker?.type === 'connectionState' && r.summary.startsWith('not a LiveQuery server: reconnecting: attempt 2 in')),
        'the timeline says why it retries',
      );
      await until(() => echo.connections() >= 3, 'further attempts');
      await connection.stop();
      const attempts = echo.connections();
      await delay(300);
      assert.equal(echo.connections(), attempts, 'stopping it ends the retries');
      assert.equal(connection.view().verdict, 'notLiveQuery', 'the verdict stays for the card until it connects or is edited');
    } finally {
      await echo.close();
    }
  });

  it('a silent endpoint: no answer within the watchdog time gives a verdict and a retry with back-off', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const { connection, records } = makeConnection(silent.url, { connectAnswerTimeoutMs: 200, random: () => 0.01 });
      connection.start();
      await until(() => records.some((r) => r.marker?.type === 'noAnswer'), 'watchdog record');
      assert.deepEqual(records.find((r) => r.marker?.type === 'noAnswer')!.marker, { type: 'noAnswer', timeoutMs: 200 });
      await until(() => connection.view().verdict === 'noAnswer' && connection.view().state === 'reconnecting', 'verdict');
      assert.match(connection.view().lastError ?? '', /No "connected" reply within 0.2 s/);
      await until(() => silent.connections() >= 2, 'a second attempt after the back-off');
      await until(() => records.filter((r) => r.marker?.type === 'noAnswer').length >= 2, 'the second attempt is watched too');
      const scheduled = records.filter((r) => r.marker?.type === 'connectionState' && r.marker.delayMs !== undefined);
      assert.deepEqual(
        scheduled.slice(0, 2).map((r) => r.marker?.type === 'connectionState' && r.marker.attempt),
        [2, 3],
      );
    } finally {
      await silent.close();
    }
  });

  it('applies an edit without waiting for the old socket, and a removal during it leaves nothing running', async () => {
    const { connection } = makeConnection();
    await startSubscribed(connection);
    const before = server.openCount();
    const editing = connection.edit({ serverURL: server.url, applicationId: 'app', javascriptKey: 'js2' });
    assert.equal(connection.isRunning, true, 'the new client starts at once');
    const removing = connection.dispose();
    await Promise.all([editing, removing]);
    await until(() => server.openCount() === before - 1, 'every socket of this connection closed');
    connection.start();
    assert.equal(connection.isRunning, false, 'a removed connection never starts again');
  });

  it('restored by a new service worker: each subscription gets a gap from when the old worker was last alive', async () => {
    const records: RecordDraft[] = [];
    const lastAlive = Date.now() - 3_000;
    const connection = new ServerConnection(
      's1',
      { serverURL: server.url, applicationId: 'app', javascriptKey: 'js' },
      true,
      { emit: (draft) => records.push(draft), changed: () => undefined, persist: () => undefined, newId: () => 'new', WebSocket, random: () => 0 },
      [{ id: 'sub-a', query: { className: 'Game', where: {} } }],
      lastAlive,
    );
    connections.push(connection);
    connection.start();
    await until(() => records.some((r) => r.kind === 'gap'), 'a gap once subscribed again');
    const gap = records.find((r) => r.kind === 'gap')!;
    assert.equal(gap.subscriptionKey, subscriptionKey({ type: 'server', serverId: 's1', subscriptionId: 'sub-a' }));
    assert.ok(gap.marker?.type === 'gap' && gap.marker.reason === 'workerRestarted' && gap.marker.from === lastAlive);
    assert.match(gap.summary, /^the extension restarted: events between/);
    assert.equal(connection.view().subscriptions[0]!.state, 'subscribed');
  });

  it('keeps subscriptions across stop() and start() and persists them', async () => {
    const { connection, records } = makeConnection();
    connection.subscribe({ className: 'Game', where: { a: 1 } });
    connection.start();
    await until(() => connection.view().subscriptions[0]?.state === 'subscribed', 'subscribed');
    await connection.stop();
    assert.equal(connection.view().state, 'disconnected');
    assert.equal(connection.persisted().subscriptions.length, 1);
    connection.start();
    await until(() => connection.view().subscriptions[0]?.state === 'subscribed', 'subscribed again');
    await until(() => records.some((r) => r.kind === 'gap'), 'the time it was closed is marked as a gap');
    const gap = records.find((r) => r.kind === 'gap')!;
    assert.ok(gap.marker?.type === 'gap' && gap.marker.reason === 'connectionClosed');
    assert.ok(records.some((r) => r.marker?.type === 'connectionState' && r.marker.state === 'disconnected' && r.marker.reason === 'closed by you'));
  });
});

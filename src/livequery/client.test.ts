import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { delay, nextEvent, startScriptedServer, waitUntil, type ScriptedServer } from '../../test/harness/scripted-server.js';
import { LiveQueryClient, InvalidFrameError, SocketError, type FrameRecord, type StateChange } from './index.js';

let server: ScriptedServer;
const clients: LiveQueryClient[] = [];

function makeClient(extra: Partial<ConstructorParameters<typeof LiveQueryClient>[0]> = {}): LiveQueryClient {
  const client = new LiveQueryClient({
    applicationId: 'app',
    serverURL: server.url,
    javascriptKey: 'js',
    WebSocket,
    random: () => 0,
    ...extra,
  });
  clients.push(client);
  return client;
}

before(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.autoConnect = true;
  server.autoSubscribe = true;
});
after(() => server.close());

describe('LiveQueryClient options', () => {
  it('rejects a serverURL that is not ws:// or wss://', () => {
    assert.throws(
      () => new LiveQueryClient({ applicationId: 'a', serverURL: 'http://localhost/parse', WebSocket }),
      /must start with ws:\/\/ or wss:\/\//,
    );
    assert.throws(() => new LiveQueryClient({ applicationId: 'a', serverURL: 'not a url', WebSocket }), /not a valid URL/);
  });
  it('requires an applicationId and string keys', () => {
    assert.throws(() => new LiveQueryClient({ applicationId: '', serverURL: 'ws://x', WebSocket }), /applicationId/);
    const bad = { applicationId: 'a', serverURL: 'ws://x', WebSocket, masterKey: 5 } as unknown as ConstructorParameters<typeof LiveQueryClient>[0];
    assert.throws(() => new LiveQueryClient(bad), /"masterKey" must be a string/);
  });
  it('explains a missing WebSocket implementation', () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      assert.throws(() => new LiveQueryClient({ applicationId: 'a', serverURL: 'ws://x' }), /no WebSocket implementation/);
    } finally {
      if (saved) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
  it('rejects invalid queries with the reason', () => {
    const client = makeClient();
    assert.throws(() => client.subscribe({ className: '' }), /className/);
    assert.throws(() => client.subscribe({ className: 'A', where: [] as unknown as Record<string, unknown> }), /"where" must be a JSON object/);
    assert.throws(() => client.subscribe({ className: 'A', keys: [1] as unknown as string[] }), { name: 'InvalidQueryError', code: 'INVALID_QUERY' });
  });
});

describe('LiveQueryClient protocol', () => {
  it('sends connect with the SDK key order, then subscriptions made before open exactly once', async () => {
    const client = makeClient({ masterKey: 'mk', sessionToken: 'r:tok', installationId: 'inst' });
    const sub = client.subscribe({ className: 'Game', where: { score: { $gt: 1 } }, keys: 'name,score', watch: ['score'] }, 'r:sub');
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    const connect = await conn.nextFrame();
    assert.deepEqual(Object.keys(connect), ['op', 'applicationId', 'javascriptKey', 'masterKey', 'sessionToken', 'installationId']);
    await sub.subscribePromise;
    assert.equal(sub.state, 'subscribed');
    const subscribes = conn.received.filter((f) => f.op === 'subscribe');
    assert.deepEqual(subscribes, [
      {
        op: 'subscribe',
        requestId: 1,
        query: { className: 'Game', where: { score: { $gt: 1 } }, keys: ['name', 'score'], watch: ['score'] },
        sessionToken: 'r:sub',
      },
    ]);
  });

  it('accepts a Parse.Query-like object (className + toJSON with comma lists)', async () => {
    const client = makeClient();
    const queryLike = { className: 'Note', toJSON: () => ({ where: { a: 1 }, keys: 'a,b', watch: 'a', limit: 5 }) };
    const sub = client.subscribe(queryLike);
    assert.deepEqual(sub.query, { className: 'Note', where: { a: 1 }, keys: ['a', 'b'], watch: ['a'] });
  });

  it('delivers events as plain JSON with original for update/enter/leave', async () => {
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game' });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await sub.subscribePromise;
    const seen: unknown[][] = [];
    for (const op of ['create', 'update', 'enter', 'leave', 'delete'] as const) {
      sub.on(op, (...args: unknown[]) => seen.push([op, ...args]));
    }
    let received = 0;
    client.on('frame', (f) => f.direction === 'received' && received++);
    const object = { className: 'Game', objectId: 'g1', score: 2 };
    const original = { className: 'Game', objectId: 'g1', score: 1 };
    conn.send({ op: 'create', clientId: 'c', requestId: 1, object });
    conn.send({ op: 'update', clientId: 'c', requestId: 1, object, original });
    conn.send({ op: 'enter', clientId: 'c', requestId: 1, object });
    conn.send({ op: 'leave', clientId: 'c', requestId: 1, object, original });
    conn.send({ op: 'delete', clientId: 'c', requestId: 1, object });
    conn.send({ op: 'create', clientId: 'c', requestId: 99, object });
    await waitUntil(() => received === 6, 'the six frames');
    assert.deepEqual(seen, [
      ['create', object, { clientId: 'c' }],
      ['update', object, original, { clientId: 'c' }],
      ['enter', object, undefined, { clientId: 'c' }],
      ['leave', object, original, { clientId: 'c' }],
      ['delete', object, { clientId: 'c' }],
    ]);
    assert.deepEqual(sub.eventCounts, { create: 1, update: 1, enter: 1, leave: 1, delete: 1 });
  });

  it('turns malformed frames into error events and keeps working', async () => {
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game' });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await sub.subscribePromise;
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const creates: unknown[] = [];
    sub.on('create', (o) => creates.push(o));
    const bad = [
      'not json{',
      '42',
      '[1,2]',
      '{"noop":true}',
      '{"op":"explode"}',
      '{"op":"create","requestId":"1","object":{}}',
      '{"op":"error","error":5,"code":1}',
      '{"op":"update","requestId":1,"object":{},"original":"x"}',
      '{"op":"create","requestId":1,"object":{"className":"Game","objectId":"big","blob":"' + 'x'.repeat(2_000_000) + '"}}',
    ];
    for (const text of bad) conn.sendText(text);
    conn.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    conn.send({ op: 'create', clientId: 'c', requestId: 1, object: { className: 'Game', objectId: 'ok' } });
    // Frames are handled in order: once the last create arrived, every earlier frame was handled.
    await waitUntil(() => creates.length === 2, 'the last create');
    assert.equal(errors.length, 9, 'one error per malformed frame, none for the huge but valid one');
    assert.ok(errors.every((e) => e instanceof InvalidFrameError && e.code === 'INVALID_FRAME'));
    assert.equal((errors[0] as InvalidFrameError).raw, 'not json{');
    assert.match((errors[4] as InvalidFrameError).reason, /unknown op "explode"/);
    assert.match((errors[8] as InvalidFrameError).raw, /binary frame, 3 bytes/);
    assert.equal(creates.length, 2);
    assert.equal(client.state, 'connected');
    assert.equal(sub.state, 'subscribed');
  });

  it('reports every frame sent and received with a timestamp', async () => {
    const client = makeClient();
    const frames: FrameRecord[] = [];
    client.on('frame', (f) => frames.push(f));
    const sub = client.subscribe({ className: 'Game' });
    const before = Date.now();
    client.open();
    await client.connectPromise;
    await sub.subscribePromise;
    assert.deepEqual(
      frames.map((f) => `${f.direction} ${JSON.parse(f.text).op}`),
      ['sent connect', 'received connected', 'sent subscribe', 'received subscribed'],
    );
    assert.ok(frames.every((f) => f.time >= before && f.time <= Date.now()));
  });

  it('updates a subscription in place with the update op and the same requestId', async () => {
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game', where: { a: 1 } });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await sub.subscribePromise;
    sub.update({ className: 'Game', where: { a: 2 }, keys: ['a'] });
    const frame = await conn.nextFrame((f) => f.op === 'update');
    assert.deepEqual(frame, { op: 'update', requestId: 1, query: { className: 'Game', where: { a: 2 }, keys: ['a'] } });
    await nextEvent(sub, 'open');
    assert.equal(sub.confirmations, 2);
  });

  it('unsubscribes: waits for unsubscribed, emits close, ignores later events', async () => {
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game' });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await sub.subscribePromise;
    let closed = 0;
    let creates = 0;
    sub.on('close', () => closed++);
    sub.on('create', () => creates++);
    await client.unsubscribe(sub);
    assert.deepEqual(conn.received.at(-1), { op: 'unsubscribe', requestId: 1 });
    assert.equal(closed, 1);
    conn.send({ op: 'create', clientId: 'c', requestId: 1, object: { className: 'Game', objectId: 'x' } });
    await delay(30);
    assert.equal(creates, 0);
    assert.equal(client.subscriptions.length, 0);
  });

  it('delivers a subscription error to that subscription and the others keep working', async () => {
    const client = makeClient();
    server.autoSubscribe = false;
    const good = client.subscribe({ className: 'Game' });
    const bad = client.subscribe({ className: '_Session' });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await conn.nextFrame((f) => f.requestId === 2);
    const errored = nextEvent<[string]>(bad, 'error');
    conn.send({ op: 'subscribed', clientId: 'c', requestId: 1 });
    conn.send({ op: 'error', clientId: 'c', code: 209, error: 'Invalid session token', reconnect: false, requestId: 2 });
    const [message] = await errored;
    assert.equal(message, 'Invalid session token');
    await assert.rejects(bad.subscribePromise, /Invalid session token/);
    assert.equal(bad.state, 'error');
    assert.equal(good.state, 'subscribed');
    assert.equal(client.state, 'connected');
  });
});

describe('LiveQueryClient never asks the server about a subscription it does not hold', () => {
  async function pendingSubscription() {
    server.autoSubscribe = false;
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game', where: {} });
    const connection = server.nextConnection();
    client.open();
    const conn = await connection;
    await conn.nextFrame((f) => f.op === 'subscribe');
    return { client, sub, conn };
  }

  it('holds an unsubscribe until the in-flight subscribe is confirmed', async () => {
    const { sub, conn } = await pendingSubscription();
    const closed = sub.unsubscribe();
    await delay(30);
    assert.equal(conn.received.filter((f) => f.op === 'unsubscribe').length, 0);
    conn.send({ op: 'subscribed', clientId: 'c', requestId: 1 });
    await conn.nextFrame((f) => f.op === 'unsubscribe');
    conn.send({ op: 'unsubscribed', clientId: 'c', requestId: 1 });
    await closed;
    assert.equal(sub.state, 'closed');
  });

  it('holds an update until the in-flight subscribe is confirmed', async () => {
    const { sub, conn } = await pendingSubscription();
    sub.update({ className: 'Game', where: { a: 2 } });
    await delay(30);
    assert.equal(conn.received.filter((f) => f.op === 'update').length, 0);
    conn.send({ op: 'subscribed', clientId: 'c', requestId: 1 });
    const update = await conn.nextFrame((f) => f.op === 'update');
    assert.deepEqual(update.query, { className: 'Game', where: { a: 2 } });
  });

  it('closes a refused subscription locally and subscribes again (not update) when it is edited', async () => {
    const { client, sub, conn } = await pendingSubscription();
    conn.send({ op: 'error', clientId: 'c', code: 209, error: 'Invalid session token', reconnect: false, requestId: 1 });
    await nextEvent(sub, 'error');
    sub.update({ className: 'Game', where: { fixed: true } });
    const again = await conn.nextFrame((f) => f.op === 'subscribe' && JSON.stringify(f.query).includes('fixed'));
    assert.equal(again.requestId, 1);
    conn.send({ op: 'error', clientId: 'c', code: 209, error: 'Invalid session token', reconnect: false, requestId: 1 });
    await nextEvent(sub, 'error');
    await client.unsubscribe(sub);
    assert.equal(sub.state, 'closed');
    await delay(30);
    assert.equal(conn.received.filter((f) => f.op === 'unsubscribe' || f.op === 'update').length, 0);
    assert.equal(client.state, 'connected');
  });

  it('ends an unsubscribe still waiting for its confirmation when the socket drops, and subscribes only the others again', async () => {
    const { client, sub, conn } = await pendingSubscription();
    const other = client.subscribe({ className: 'Note' });
    await conn.nextFrame((f) => f.op === 'subscribe' && f.requestId === 2);
    const closed = sub.unsubscribe();
    assert.deepEqual(client.subscriptions, [other]);
    server.autoSubscribe = true;
    const reopened = nextEvent(other, 'open');
    const next = server.nextConnection();
    conn.socket.terminate();
    await closed;
    assert.equal(sub.state, 'closed');
    const second = await next;
    await reopened;
    const ops = second.received.filter((f) => f.op !== 'connect').map((f) => `${String(f.op)} ${String(f.requestId)}`);
    assert.deepEqual(ops, ['subscribe 2']);
  });

  it('closes on close() a subscription whose unsubscribe is in flight', async () => {
    const { client, sub, conn } = await pendingSubscription();
    conn.send({ op: 'subscribed', clientId: 'c', requestId: 1 });
    await nextEvent(sub, 'open');
    const closed = sub.unsubscribe();
    await conn.nextFrame((f) => f.op === 'unsubscribe');
    assert.equal(sub.state, 'subscribed');
    assert.deepEqual(client.subscriptions, []);
    await client.close();
    await closed;
    assert.equal(sub.state, 'closed');
  });
});

describe('LiveQueryClient reconnect', () => {
  it('reconnects after the socket drops and resubscribes with the same requestIds and tokens', async () => {
    const client = makeClient();
    const a = client.subscribe({ className: 'Game' }, 'r:alice');
    const b = client.subscribe({ className: 'Note' });
    let conn = server.nextConnection();
    client.open();
    const first = await conn;
    await Promise.all([a.subscribePromise, b.subscribePromise]);
    const states: StateChange[] = [];
    client.on('state', (s) => states.push(s));
    conn = server.nextConnection();
    first.socket.terminate();
    const second = await conn;
    await nextEvent(client, 'open');
    await waitUntil(() => second.received.filter((f) => f.op === 'subscribe').length >= 2, 'both subscriptions resent');
    const resent = second.received.filter((f) => f.op === 'subscribe');
    assert.deepEqual(resent.map((f) => [f.requestId, f.sessionToken]), [[1, 'r:alice'], [2, undefined]]);
    assert.deepEqual(states.map((s) => s.state), ['closed', 'reconnecting', 'reconnecting', 'connected']);
    assert.equal(typeof states[1]!.nextRetryAt, 'number');
    assert.equal(a.state, 'subscribed');
  });

  it('closes a subscription unsubscribed while reconnecting at once and does not send it again', async () => {
    const client = makeClient({ random: () => 0.2 });
    const a = client.subscribe({ className: 'Game' });
    const b = client.subscribe({ className: 'Note' });
    let conn = server.nextConnection();
    client.open();
    const first = await conn;
    await Promise.all([a.subscribePromise, b.subscribePromise]);
    const reconnecting = new Promise<void>((resolve) => client.on('state', (s) => s.state === 'reconnecting' && resolve()));
    conn = server.nextConnection();
    first.socket.terminate();
    await reconnecting;
    await a.unsubscribe();
    assert.equal(a.state, 'closed');
    const reopened = nextEvent(b, 'open');
    const second = await conn;
    await reopened;
    const ops = second.received.filter((f) => f.op !== 'connect').map((f) => `${String(f.op)} ${String(f.requestId)}`);
    assert.deepEqual(ops, ['subscribe 2']);
  });

  it('sends a subscribe made while reconnecting exactly once', async () => {
    const client = makeClient({ random: () => 0.05 });
    client.subscribe({ className: 'Game' });
    let conn = server.nextConnection();
    client.open();
    const first = await conn;
    await first.nextFrame((f) => f.op === 'subscribe');
    conn = server.nextConnection();
    first.socket.terminate();
    await nextEvent(client, 'state');
    const late = client.subscribe({ className: 'Note' });
    const second = await conn;
    await late.subscribePromise;
    await delay(50);
    assert.deepEqual(second.received.filter((f) => f.op === 'subscribe').map((f) => f.requestId), [1, 2]);
  });

  it('closes the old socket before reconnecting on an error with reconnect:true', async () => {
    const client = makeClient();
    const sub = client.subscribe({ className: 'Game' });
    let conn = server.nextConnection();
    client.open();
    const first = await conn;
    await sub.subscribePromise;
    conn = server.nextConnection();
    first.send({ op: 'error', code: 1, error: 'No enum match for: "x"', reconnect: true, requestId: null });
    await first.closed;
    const second = await conn;
    await sub.subscribePromise;
    await nextEvent(sub, 'open');
    assert.equal(server.openCount(), 1);
    assert.equal(second.received.filter((f) => f.op === 'subscribe').length, 1);
  });

  it('close() during back-off cancels the pending reconnect', async () => {
    const client = makeClient({ random: () => 0.2 });
    const sub = client.subscribe({ className: 'Game' });
    const conn = server.nextConnection();
    client.open();
    const first = await conn;
    await sub.subscribePromise;
    const reconnecting = new Promise<void>((resolve) => client.on('state', (s) => s.state === 'reconnecting' && resolve()));
    first.socket.terminate();
    await reconnecting;
    const before = server.connections.length;
    await client.close();
    await delay(400);
    assert.equal(server.connections.length, before, 'no new connection after close()');
    assert.equal(client.state, 'disconnected');
    assert.equal(sub.state, 'closed');
  });

  it('stops after a key error before the first connected (no reconnect loop)', async () => {
    server.autoConnect = false;
    const client = makeClient();
    const conn = server.nextConnection();
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const rejected = client.connectPromise;
    client.open();
    const first = await conn;
    await first.nextFrame((f) => f.op === 'connect');
    first.send({ op: 'error', code: 4, error: 'Key in request is not valid', reconnect: true, requestId: null });
    await first.closed;
    await delay(100);
    await assert.rejects(rejected, /Key in request is not valid/);
    assert.deepEqual(errors, ['Key in request is not valid']);
    assert.equal(client.state, 'disconnected');
    assert.equal(server.connections.filter((c) => c === first).length, 1);
    assert.equal(server.openCount(), 0);
  });

  /** A port nothing listens on (yet). */
  async function refusedPort(): Promise<number> {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  }

  /** Resolves once `count` states satisfy `predicate` (event-driven: no sleeps). */
  function statesUntil(client: LiveQueryClient, predicate: (s: StateChange) => boolean, count = 1): Promise<StateChange[]> {
    const seen: StateChange[] = [];
    return new Promise((resolve) => {
      const listener = (s: StateChange) => {
        if (!predicate(s)) return;
        seen.push(s);
        if (seen.length === count) {
          client.off('state', listener);
          resolve(seen);
        }
      };
      client.on('state', listener);
    });
  }

  /** The state that schedules the next attempt (the one that starts it carries no delay). */
  const scheduled = (s: StateChange) => s.state === 'reconnecting' && s.delayMs !== undefined;

  // random() = 0.001 makes each delay a thousandth of its ceiling: 1, 3, 7, 15, 30 ms after failed attempts 1…5.
  const tinyJitter = () => 0.001;

  it('backs off with growing ceilings against a refused server, keeps the count on connect, resets on a confirmed subscription', async () => {
    const port = await refusedPort();
    const client = makeClient({ serverURL: `ws://127.0.0.1:${port}/parse`, random: tinyJitter });
    const sub = client.subscribe({ className: 'Game' });
    const retries = statesUntil(client, scheduled, 5);
    client.open();
    const first = await retries;
    assert.deepEqual(first.map((s) => s.attempt), [2, 3, 4, 5, 6], 'each schedule names the attempt it schedules');
    assert.deepEqual(first.map((s) => s.delayMs), [1, 3, 7, 15, 30], 'the ceiling grows with the attempt');
    assert.ok(client.attempts >= 6);

    const up = await startScriptedServer({ port });
    try {
      const connected = statesUntil(client, (s) => s.state === 'connected');
      const [state] = await connected;
      assert.ok(state!.attempt >= 5, `a connect alone does not reset a client with subscriptions (attempt ${state!.attempt})`);
      await sub.subscribePromise;
      assert.equal(client.attempts, 1, 'the confirmed subscription resets the count');
      const next = statesUntil(client, scheduled);
      for (const connection of up.connections) connection.socket.terminate();
      const [retry] = await next;
      assert.deepEqual([retry!.attempt, retry!.delayMs], [2, 1], 'the next drop starts from the first ceiling');
    } finally {
      await client.close();
      await up.close();
    }
  });

  it('the countdown and the retry it announces name the same attempt', async () => {
    const port = await refusedPort();
    const client = makeClient({ serverURL: `ws://127.0.0.1:${port}/parse`, random: tinyJitter });
    const states = statesUntil(client, (s) => s.state === 'connecting' || s.state === 'reconnecting', 7);
    client.open();
    try {
      const seen = (await states).map((s) => `${s.state} ${s.attempt}${s.delayMs === undefined ? '' : ' scheduled'}`);
      assert.deepEqual(seen, [
        'connecting 1',
        'reconnecting 2 scheduled',
        'reconnecting 2',
        'reconnecting 3 scheduled',
        'reconnecting 3',
        'reconnecting 4 scheduled',
        'reconnecting 4',
      ]);
    } finally {
      await client.close();
    }
  });

  it('a client without subscriptions resets the count on a successful connect', async () => {
    const port = await refusedPort();
    const client = makeClient({ serverURL: `ws://127.0.0.1:${port}/parse`, random: tinyJitter });
    const retries = statesUntil(client, scheduled, 3);
    client.open();
    assert.deepEqual((await retries).map((s) => s.attempt), [2, 3, 4]);
    const up = await startScriptedServer({ port });
    try {
      const [state] = await statesUntil(client, (s) => s.state === 'connected');
      assert.equal(state!.attempt, 1);
      assert.equal(client.attempts, 1);
    } finally {
      await client.close();
      await up.close();
    }
  });

  it('keeps retrying a refused server and connects once it is up', async () => {
    const port = await refusedPort();
    const client = makeClient({ serverURL: `ws://127.0.0.1:${port}/parse`, random: tinyJitter });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const sub = client.subscribe({ className: 'Game' });
    const retries = statesUntil(client, scheduled, 3);
    client.open();
    await retries;
    assert.ok(errors.length >= 3);
    assert.ok(errors.every((e) => e instanceof SocketError && e.code === 'SOCKET_ERROR'));
    const up = await startScriptedServer({ port });
    try {
      const opened = new Promise<void>((resolve) => client.on('open', () => resolve()));
      await opened;
      await sub.subscribePromise;
      assert.equal(client.state, 'connected');
      assert.equal(up.connections.length, 1, 'one connection once the server is up');
      await client.close();
      assert.equal(client.state, 'disconnected');
    } finally {
      await up.close();
    }
  });
});

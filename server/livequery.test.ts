import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { RawSocket } from '../test/harness/raw-socket.js';
import * as rest from '../test/harness/rest.js';
import { startEmbeddedServer, type EmbeddedServer } from './index.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits, turn by turn of the event loop (no fixed sleep), until `done()`; fails after many turns. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 5000; turn++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`never happened: ${what}`);
}

describe('embedded LiveQuery server', () => {
  let server: EmbeddedServer;
  const sockets: RawSocket[] = [];

  before(async () => {
    server = await startEmbeddedServer({ port: 0 });
  });
  after(async () => {
    await server.stop();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.terminate()));
  });

  async function open(url = server.liveQueryURL): Promise<RawSocket> {
    const socket = await RawSocket.open(url);
    sockets.push(socket);
    return socket;
  }

  async function connect(extra: Record<string, unknown> = {}): Promise<{ socket: RawSocket; clientId: string }> {
    const socket = await open();
    socket.send({ op: 'connect', applicationId: server.applicationId, javascriptKey: server.javascriptKey, ...extra });
    const frame = await socket.nextOp('connected');
    return { socket, clientId: String(frame.clientId) };
  }

  async function subscribe(socket: RawSocket, requestId: number, query: Record<string, unknown>): Promise<void> {
    socket.send({ op: 'subscribe', requestId, query });
    await socket.nextOp('subscribed', requestId);
  }

  it('exposes URLs on 127.0.0.1 and the default keys', () => {
    assert.equal(server.kind, 'embedded');
    assert.equal(server.liveQueryURL, `ws://127.0.0.1:${server.port}/parse`);
    assert.equal(server.restURL, `http://127.0.0.1:${server.port}/parse`);
    assert.deepEqual([server.applicationId, server.javascriptKey, server.masterKey], ['lq-app', 'lq-js', 'lq-master']);
  });

  it('accepts WebSocket upgrades on any path', async () => {
    const socket = await open(`ws://127.0.0.1:${server.port}/some/other/path`);
    socket.send({ op: 'connect', applicationId: 'x', javascriptKey: 'lq-js' });
    assert.equal((await socket.next()).op, 'connected');
  });

  it('clients() lists sockets, their clientId once connected, and their subscriptions', async () => {
    const bare = await open();
    const { socket, clientId } = await connect();
    await subscribe(socket, 3, { className: 'Game', where: {} });
    await subscribe(socket, 4, { className: 'Note', where: { a: 1 } });
    const list = server.clients();
    assert.equal(list.length, 2);
    const mine = list.find((c) => c.clientId === clientId);
    assert.deepEqual(mine?.subscriptions, [
      { requestId: 3, className: 'Game' },
      { requestId: 4, className: 'Note' },
    ]);
    assert.equal(list.find((c) => c.clientId === null)?.subscriptions.length, 0);
    await bare.terminate();
    await socket.terminate();
    await until(() => server.clients().length === 0, 'both sockets are forgotten');
  });

  it('never crashes on binary, huge, or garbage frames', async () => {
    const { socket } = await connect();
    socket.sendBinary(Buffer.from([0, 1, 2, 255]));
    assert.equal((await socket.next()).error, 'Missing required property: op');
    socket.sendText('x'.repeat(5 * 1024 * 1024));
    socket.sendText('{"op":"subscribe","requestId":1,"query":{"className":"Game","where":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}}');
    assert.equal((await socket.next()).error, 'Invalid type: array (expected object)');
    socket.sendText('{"op":"connect","applicationId":"' + 'a'.repeat(1_000_000) + '","javascriptKey":"lq-js"}');
    assert.equal((await socket.next()).op, 'connected');
    await socket.expectNothing(50);
  });

  it('role ACLs: a subscription whose session user holds the role gets the event', async () => {
    const user = await rest.signUp(server, `role_${Date.now()}`, 'pw');
    const name = `editors${Date.now()}`;
    await rest.request(server, 'POST', '/roles', {
      name,
      ACL: { '*': { read: true } },
      users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: user.objectId }] },
    }, { useMasterKey: true });
    const member = await connect({ sessionToken: user.sessionToken });
    const outsider = await connect();
    for (const c of [member, outsider]) await subscribe(c.socket, 1, { className: 'Note', where: { tag: name } });
    const row = await rest.createObject(server, 'Note', { tag: name }, { acl: { [`role:${name}`]: { read: true } } });
    assert.equal(((await member.socket.nextOp('create', 1)).object as Record<string, unknown>).objectId, row.objectId);
    await outsider.socket.expectNothing(100);
  });

  describe('faults', () => {
    it('drop(clientId) terminates only that socket, abruptly', async () => {
      const a = await connect();
      const b = await connect();
      assert.equal(server.faults.drop(a.clientId), 1);
      assert.equal((await a.socket.closed).code, 1006);
      b.socket.send({ op: 'unsubscribe', requestId: 1 });
      assert.equal((await b.socket.next()).code, 2);
    });

    it('drop() terminates every socket', async () => {
      const a = await connect();
      const b = await open();
      assert.equal(server.faults.drop(), 2);
      await Promise.all([a.socket.closed, b.closed]);
    });

    it('sendRaw and sendError reach one client or all, in Parse Server field order', async () => {
      const a = await connect();
      const b = await connect();
      assert.equal(server.faults.sendRaw('not json at all', b.clientId), 1);
      server.faults.sendError({ code: 141, error: 'boom' });
      const everyone = '{"op":"error","error":"boom","code":141,"reconnect":true,"requestId":null}';
      assert.equal((await a.socket.next()) && a.socket.frames.at(-1)?.raw, everyone);
      assert.equal((await b.socket.next()) && b.socket.frames.at(-1)?.raw, everyone);
      assert.equal(b.socket.frames.at(-2)?.raw, 'not json at all');
      server.faults.sendError({ code: 209, error: 'x', reconnect: false, requestId: 7 }, a.clientId);
      assert.deepEqual(await a.socket.next(), { op: 'error', error: 'x', code: 209, reconnect: false, requestId: 7 });
      // A frame to everyone after it: b's next frame is that one, so the error for a never reached b.
      const after = '{"op":"sentinel"}';
      server.faults.sendRaw(after);
      await b.socket.next((f) => f.op === 'sentinel');
      await a.socket.next((f) => f.op === 'sentinel');
      assert.deepEqual(b.socket.frames.slice(1).map((f) => f.raw), ['not json at all', everyone, after]);
    });

    it('stall(ms) holds replies and events, then delivers them in order; frames sent meanwhile are read afterwards', async () => {
      const { socket } = await connect();
      await subscribe(socket, 1, { className: 'Game', where: { stall: true } });
      // A stall far longer than the test: it ends when the test resumes it, so nothing depends on timing.
      const stalled = server.faults.stall(60_000);
      socket.send({ op: 'subscribe', requestId: 2, query: { className: 'Game', where: { stall: true } } });
      const row = await rest.createObject(server, 'Game', { stall: true });
      await until(() => server.faults.queued() === 1, 'the create event is held');
      assert.equal(socket.unread().length, 0, 'nothing is delivered while stalled');
      server.faults.resume();
      await stalled;
      const create = await socket.next();
      const reply = await socket.next();
      assert.deepEqual([create.op, create.requestId, (create.object as Record<string, unknown>).objectId], ['create', 1, row.objectId]);
      assert.deepEqual([reply.op, reply.requestId], ['subscribed', 2]);
      await socket.expectNothing(50);
    });

    it('restart() drops clients and serves again on the same port with the same data', async () => {
      const { socket } = await connect();
      const row = await rest.createObject(server, 'Note', { kept: true });
      const port = server.port;
      await server.faults.restart({ downMs: 50 });
      assert.equal((await socket.closed).code, 1006);
      assert.equal(server.port, port);
      assert.deepEqual(server.clients(), []);
      const again = await connect();
      assert.match(again.clientId, /^[0-9a-f-]{36}$/);
      assert.equal((await rest.getObject(server, 'Note', row.objectId)).kept, true);
    });
  });
});

describe('embedded LiveQuery server options', () => {
  it('requireKeys: false accepts a connect without keys, and nobody is master', async () => {
    const server = await startEmbeddedServer({ requireKeys: false });
    try {
      const user = await rest.signUp(server, `u${Date.now()}`, 'pw');
      const socket = await RawSocket.open(server.liveQueryURL);
      socket.send({ op: 'connect', applicationId: 'anything', masterKey: 'lq-master' });
      assert.equal((await socket.next()).op, 'connected');
      socket.send({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } });
      await socket.nextOp('subscribed', 1);
      await rest.createObject(server, 'Game', { secret: 1 }, { sessionToken: user.sessionToken, acl: { [user.objectId]: { read: true } } });
      await socket.expectNothing(100);
      await socket.terminate();
    } finally {
      await server.stop();
    }
  });

  it('websocketTimeout: a client that never answers pings is terminated after two intervals', async () => {
    const server = await startEmbeddedServer({ websocketTimeout: 60 });
    try {
      const ws = new WebSocket(server.liveQueryURL, { autoPong: false });
      await new Promise((resolve) => ws.once('open', resolve));
      let pings = 0;
      ws.on('ping', () => pings++);
      const code = await new Promise<number>((resolve) => ws.once('close', resolve));
      assert.equal(code, 1006);
      assert.ok(pings >= 1);
    } finally {
      await server.stop();
    }
  });

  it('a socket that answers pings stays open', async () => {
    const server = await startEmbeddedServer({ websocketTimeout: 40 });
    try {
      const ws = new WebSocket(server.liveQueryURL);
      await new Promise((resolve) => ws.once('open', resolve));
      let closed = false;
      ws.once('close', () => (closed = true));
      // Five pings answered span more than the two intervals after which a silent client is dropped.
      await new Promise<void>((resolve) => {
        let pings = 0;
        ws.on('ping', () => ++pings === 5 && resolve());
      });
      assert.equal(closed, false);
      assert.equal(ws.readyState, WebSocket.OPEN);
      ws.terminate();
    } finally {
      await server.stop();
    }
  });

  it('classNames decides which classes publish events (anchored regular expressions)', async () => {
    const server = await startEmbeddedServer({ classNames: ['Ga.e'], allowClientClassCreation: true });
    try {
      const socket = await RawSocket.open(server.liveQueryURL);
      socket.send({ op: 'connect', applicationId: 'a', javascriptKey: 'lq-js' });
      await socket.nextOp('connected');
      for (const [requestId, className] of [[1, 'Game'], [2, 'Note'], [3, 'Games']] as const) {
        socket.send({ op: 'subscribe', requestId, query: { className, where: {} } });
        await socket.nextOp('subscribed', requestId);
        await rest.createObject(server, className, { n: requestId });
      }
      assert.equal((await socket.nextOp('create', 1)).requestId, 1);
      await socket.expectNothing(100);
      await socket.terminate();
    } finally {
      await server.stop();
    }
  });
});

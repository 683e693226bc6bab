// A Redis LiveQuery fleet: Parse Server 9.10's own LiveQuery node and the embedded server as a LiveQuery-only node
// on one throwaway Redis. Redis restarts mid-stream, foreign messages on the channels, and nodes started with an
// unreachable Redis, a bad Redis URL or a wrong Parse Server URL: nothing crashes, clients stay connected, /health
// says what is wrong. (The exact-frame comparison with Parse's node is the conformance suite's `fleet` target.)
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { startEmbeddedServer, type EmbeddedServer, type NodeHealth } from '../server/index.js';
import { freePort } from './harness/postgres.js';
import { RawSocket, type JsonFrame } from './harness/raw-socket.js';
import * as rest from './harness/rest.js';
import { startRedis, type RedisServer } from './harness/redis.js';
import { DEFAULT_KEYS, startFleet, type FleetTarget } from './harness/targets.js';

const sockets: RawSocket[] = [];
let counter = 0;
const unique = (prefix = 'run'): string => `${prefix}${++counter}_${Math.random().toString(36).slice(2, 8)}`;

async function subscriber(url: string, run: string): Promise<RawSocket> {
  const socket = await RawSocket.open(url);
  sockets.push(socket);
  socket.send({ op: 'connect', applicationId: DEFAULT_KEYS.applicationId, javascriptKey: DEFAULT_KEYS.javascriptKey });
  await socket.nextOp('connected');
  socket.send({ op: 'subscribe', requestId: 1, query: { className: 'Note', where: { run } } });
  await socket.nextOp('subscribed', 1);
  return socket;
}

const createdSeq = (socket: RawSocket, seq: number, timeoutMs?: number): Promise<JsonFrame> =>
  socket.next((f) => f.op === 'create' && (f.object as JsonFrame | undefined)?.seq === seq, timeoutMs);

/** Waits, a turn of the event loop at a time, until the node's health satisfies `ok`; fails after many turns. */
async function healthUntil(node: EmbeddedServer, ok: (health: NodeHealth) => boolean, what: string): Promise<NodeHealth> {
  for (let turn = 0; turn < 2000; turn++) {
    const health = node.health();
    if (health && ok(health)) return health;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`never happened: ${what}; health: ${JSON.stringify(node.health())}`);
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.terminate()));
});

describe('fleet: Parse Server 9.10 + the embedded node on one Redis', () => {
  let fleet: FleetTarget;
  const logs: string[] = [];

  before(async () => {
    fleet = await startFleet({ embedded: { log: (line) => logs.push(line) } });
    await healthUntil(fleet.node, (h) => h.status === 'ok' && h.parseServer?.version !== undefined, 'the node is subscribed and has seen Parse Server');
  });
  after(async () => {
    await fleet?.stop();
  });

  it("/health names the node, its Redis and its Parse Server", async () => {
    const response = await fetch(`${fleet.node.liveQueryURL.replace(/^ws/, 'http')}/health`);
    assert.equal(response.status, 200);
    const health = (await response.json()) as NodeHealth;
    assert.equal(health.status, 'ok');
    assert.equal(health.node.id, fleet.node.nodeId);
    assert.equal(health.node.mode, 'fleet-node');
    assert.equal(health.redis.url, fleet.redis.url);
    assert.equal(health.redis.subscriber.state, 'ready');
    assert.equal(health.parseServer?.restURL, fleet.parseServer.restURL);
    assert.equal(health.parseServer?.version, '9.10.0');
    assert.deepEqual(health.problems, []);
  });

  it('Redis restarts mid-stream: both nodes reconnect and resubscribe, keep their clients, and deliver what is written after', async () => {
    const run = unique();
    const onParse = await subscriber(fleet.parseServer.liveQueryURL, run);
    const onNode = await subscriber(fleet.liveQueryURL, run);
    for (let seq = 1; seq <= 5; seq++) await rest.createObject(fleet, 'Note', { run, seq });
    for (let seq = 1; seq <= 5; seq++) {
      await createdSeq(onParse, seq);
      await createdSeq(onNode, seq);
    }
    const disconnectsBefore = fleet.node.health()!.redis.subscriber.disconnects;

    await fleet.redis.restart({ downMs: 200 });
    await healthUntil(fleet.node, (h) => h.redis.subscriber.state === 'ready' && h.redis.subscriber.disconnects > disconnectsBefore, 'our node is back');
    assert.ok(logs.some((line) => /redis subscriber: connection lost/.test(line)), logs.join('\n'));
    assert.ok(logs.some((line) => /redis subscriber: ready again/.test(line)), logs.join('\n'));

    // Parse's node says nothing about its Redis: write until one event reaches its client (what was written while
    // it was away may be lost, as on any Redis pub/sub), then every later write must reach both.
    let probe = 100;
    for (; ; probe++) {
      assert.ok(probe < 150, "Parse Server's node never delivered again after the Redis restart");
      await rest.createObject(fleet, 'Note', { run, seq: probe });
      try {
        await createdSeq(onParse, probe, 300);
        break;
      } catch {
        // not resubscribed yet
      }
    }
    for (let seq = 200; seq < 205; seq++) await rest.createObject(fleet, 'Note', { run, seq });
    for (let seq = 200; seq < 205; seq++) {
      await createdSeq(onParse, seq);
      await createdSeq(onNode, seq);
    }
    assert.equal(onParse.isClosed, false);
    assert.equal(onNode.isClosed, false);
  });

  it("the same writes give byte-identical frames on both nodes (users, roles, ACL changes, keys, watch), clientIds aside", async () => {
    const run = unique();
    const [a, b, mod] = await Promise.all([rest.signUp(fleet, unique('alice'), 'pw'), rest.signUp(fleet, unique('bob'), 'pw'), rest.signUp(fleet, unique('mod'), 'pw')]);
    const role = unique('mods');
    await rest.request(
      fleet,
      'POST',
      '/roles',
      { name: role, ACL: { '*': { read: true } }, users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: mod.objectId }] } },
      { useMasterKey: true },
    );
    /** The same five subscribers on a node: by connection token, by subscription token with keys, by role with watch, anonymous, master. */
    async function subscribers(url: string): Promise<RawSocket[]> {
      const setups: [Record<string, unknown>, Record<string, unknown>, string | undefined][] = [
        [{ sessionToken: a.sessionToken }, { where: { run } }, undefined],
        [{}, { where: { run }, keys: ['text', 'n'] }, b.sessionToken],
        [{}, { where: { run }, watch: ['text'] }, mod.sessionToken],
        [{}, { where: { run } }, undefined],
        [{ javascriptKey: undefined, masterKey: DEFAULT_KEYS.masterKey }, { where: { run, n: { $gte: 2 } } }, undefined],
      ];
      const opened: RawSocket[] = [];
      for (const [connect, query, token] of setups) {
        const socket = await RawSocket.open(url);
        sockets.push(socket);
        socket.send({ op: 'connect', applicationId: DEFAULT_KEYS.applicationId, javascriptKey: DEFAULT_KEYS.javascriptKey, ...connect });
        await socket.nextOp('connected');
        socket.send({ op: 'subscribe', requestId: 7, query: { className: 'Message', ...query }, ...(token ? { sessionToken: token } : {}) });
        await socket.nextOp('subscribed', 7);
        opened.push(socket);
      }
      return opened;
    }
    const onNode = await subscribers(fleet.liveQueryURL);
    const onParse = await subscribers(fleet.parseServer.liveQueryURL);

    const onlyA = { [a.objectId]: { read: true, write: true } };
    const asA = { sessionToken: a.sessionToken };
    const row = await rest.createObject(fleet, 'Message', { run, text: 'private', n: 1 }, { ...asA, acl: onlyA });
    await rest.updateObject(fleet, 'Message', row.objectId, { n: 2 }, { ...asA, acl: { ...onlyA, [b.objectId]: { read: true } } });
    await rest.updateObject(fleet, 'Message', row.objectId, { text: 'for mods' }, { ...asA, acl: { ...onlyA, [`role:${role}`]: { read: true } } });
    await rest.updateObject(fleet, 'Message', row.objectId, { n: 3 }, asA);
    await rest.updateObject(fleet, 'Message', row.objectId, { text: 'public', n: 1 }, { ...asA, acl: { '*': { read: true }, ...onlyA } });
    await rest.deleteObject(fleet, 'Message', row.objectId, asA);
    const sentinel = await rest.createObject(fleet, 'Message', { run, text: 'sentinel', n: 9 }, { useMasterKey: true });
    const isSentinel = (f: JsonFrame) => (f.object as JsonFrame | undefined)?.objectId === sentinel.objectId;
    for (const socket of [...onNode, ...onParse]) await socket.next(isSentinel);

    const events = (socket: RawSocket, clientId: string) =>
      socket.frames.map((f) => f.raw).filter((raw) => !/"op":"(connected|subscribed)"/.test(raw)).map((raw) => raw.split(clientId).join('<clientId>'));
    const clientIdOf = (socket: RawSocket) => String(socket.frames[0]!.json!.clientId);
    for (let i = 0; i < onNode.length; i++) {
      const ours = events(onNode[i]!, clientIdOf(onNode[i]!));
      const parse = events(onParse[i]!, clientIdOf(onParse[i]!));
      assert.deepStrictEqual(ours, parse, `subscriber ${i + 1}`);
      assert.ok(parse.length >= 2, `subscriber ${i + 1} got events: ${parse.join('\n')}`);
    }
  });

  it('foreign and broken messages on the channels are counted and logged; the node and its clients go on', async () => {
    const run = unique();
    const onNode = await subscriber(fleet.liveQueryURL, run);
    const redis = createClient({ url: fleet.redis.url });
    redis.on('error', () => undefined);
    await redis.connect();
    const before = fleet.node.health()!.messages.rejected;
    try {
      await redis.publish(`${DEFAULT_KEYS.applicationId}afterSave`, 'this is not JSON');
      await redis.publish(`${DEFAULT_KEYS.applicationId}afterSave`, '{"some":"other app"}');
      await redis.publish(`${DEFAULT_KEYS.applicationId}afterDelete`, '[]');
      await redis.publish(`${DEFAULT_KEYS.applicationId}clearCache`, '{}');
    } finally {
      await redis.close();
    }
    const health = await healthUntil(fleet.node, (h) => h.messages.rejected >= before + 4, 'four rejected messages');
    assert.match(health.messages.lastRejected?.problem ?? '', /clearCache without a userId/);
    assert.ok(logs.some((line) => /afterSave ignored: not JSON: this is not JSON/.test(line)), logs.join('\n'));
    await rest.createObject(fleet, 'Note', { run, seq: 1 });
    await createdSeq(onNode, 1);
    // Not checked on Parse's own node: a message without currentParseObject throws inside its Redis listener
    // (9.10 reads `.className` of undefined) and in this run it delivered nothing afterwards. Hence the last test here.
  });
});

describe('fleet node: bad input at start', () => {
  let redis: RedisServer;
  const nodes: EmbeddedServer[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await redis?.stop();
  });

  async function node(options: { redisURL: string; parseServerURL?: string; restTimeoutMs?: number }, logs: string[]): Promise<EmbeddedServer> {
    const started = await startEmbeddedServer({ port: 0, ...DEFAULT_KEYS, ...options, log: (line) => logs.push(line) });
    nodes.push(started);
    return started;
  }

  it('an unreachable Redis: the node serves clients and says "degraded" until Redis answers', async () => {
    const logs: string[] = [];
    const closedPort = await freePort();
    const n = await node({ redisURL: `redis://127.0.0.1:${closedPort}` }, logs);
    const health = await healthUntil(n, (h) => (h.redis.subscriber.lastError ?? '').includes('ECONNREFUSED'), 'a refused connection is reported');
    assert.equal(health.status, 'degraded');
    assert.match(health.problems.join('\n'), /redis subscriber (connecting|reconnecting): .*ECONNREFUSED/);
    const response = await fetch(`${n.liveQueryURL.replace(/^ws/, 'http')}/health`);
    assert.equal(response.status, 503);
    const client = await subscriber(n.liveQueryURL, unique());
    assert.equal(client.isClosed, false);
    assert.ok(logs.some((line) => /ECONNREFUSED/.test(line)), logs.join('\n'));
  });

  it('a Redis URL that is not one: a clear log line and health, no crash', async () => {
    const logs: string[] = [];
    const n = await node({ redisURL: 'localhost:6379' }, logs);
    const health = n.health()!;
    assert.equal(health.redis.subscriber.state, 'invalid-url');
    assert.equal(health.status, 'degraded');
    assert.match(logs.join('\n'), /is not a redis:\/\/ or rediss:\/\/ URL/);
    await subscriber(n.liveQueryURL, unique());
  });

  it('a wrong Parse Server URL: health says so; public events still arrive, private ones are not guessed', async () => {
    const logs: string[] = [];
    const closedPort = await freePort();
    const n = await node({ redisURL: redis.url, parseServerURL: `http://127.0.0.1:${closedPort}/parse` }, logs);
    const health = await healthUntil(n, (h) => h.parseServer?.state === 'unreachable' && h.redis.subscriber.state === 'ready', 'the probe failed');
    assert.match(health.parseServer?.lastError ?? '', /cannot reach http:\/\/127\.0\.0\.1:\d+\/parse/);
    assert.match(logs.join('\n'), /parse-server REST: cannot reach/);

    const run = unique();
    const anonymous = await subscriber(n.liveQueryURL, run);
    const withToken = await RawSocket.open(n.liveQueryURL);
    sockets.push(withToken);
    withToken.send({ op: 'connect', applicationId: DEFAULT_KEYS.applicationId, javascriptKey: DEFAULT_KEYS.javascriptKey, sessionToken: 'r:someone' });
    await withToken.nextOp('connected');
    withToken.send({ op: 'subscribe', requestId: 1, query: { className: 'Note', where: { run } } });
    await withToken.nextOp('subscribed', 1);

    const publisher = createClient({ url: redis.url });
    publisher.on('error', () => undefined);
    await publisher.connect();
    const object = (seq: number, acl: unknown) => ({
      createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:00:00.000Z', run, seq, ACL: acl, objectId: `o${seq}`, __type: 'Object', className: 'Note',
    });
    try {
      await publisher.publish(`${DEFAULT_KEYS.applicationId}afterSave`, JSON.stringify({ currentParseObject: object(1, { someone: { read: true } }) }));
      await publisher.publish(`${DEFAULT_KEYS.applicationId}afterSave`, JSON.stringify({ currentParseObject: object(2, { '*': { read: true } }) }));
    } finally {
      await publisher.close();
    }
    // Frames of one socket arrive in order: the public seq 2 arriving first means the private seq 1 was not sent.
    assert.equal(((await withToken.nextOp('create', 1)).object as JsonFrame).seq, 2);
    assert.equal(((await anonymous.nextOp('create', 1)).object as JsonFrame).seq, 2);
    assert.equal(n.health()!.parseServer?.state, 'unreachable');
  });

  it('a Parse Server that accepts but never answers: lookups time out, subscribe completes, events flow', async () => {
    const silent = createServer(() => undefined); // takes every request and answers none
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const logs: string[] = [];
      const { port } = silent.address() as AddressInfo;
      const n = await node({ redisURL: redis.url, parseServerURL: `http://127.0.0.1:${port}/parse`, restTimeoutMs: 200 }, logs);
      await healthUntil(n, (h) => h.redis.subscriber.state === 'ready', 'subscribed');
      const run = unique();
      const withToken = await RawSocket.open(n.liveQueryURL);
      sockets.push(withToken);
      withToken.send({ op: 'connect', applicationId: DEFAULT_KEYS.applicationId, javascriptKey: DEFAULT_KEYS.javascriptKey, sessionToken: 'r:someone' });
      await withToken.nextOp('connected');
      withToken.send({ op: 'subscribe', requestId: 1, query: { className: 'Note', where: { run } } });
      await withToken.nextOp('subscribed', 1);
      const publisher = createClient({ url: redis.url });
      publisher.on('error', () => undefined);
      await publisher.connect();
      const object = (seq: number, acl: unknown) => ({
        createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:00:00.000Z', run, seq, ACL: acl, objectId: `t${seq}`, __type: 'Object', className: 'Note',
      });
      try {
        await publisher.publish(`${DEFAULT_KEYS.applicationId}afterSave`, JSON.stringify({ currentParseObject: object(1, { someone: { read: true } }) }));
        await publisher.publish(`${DEFAULT_KEYS.applicationId}afterSave`, JSON.stringify({ currentParseObject: object(2, { '*': { read: true } }) }));
      } finally {
        await publisher.close();
      }
      assert.equal(((await withToken.nextOp('create', 1)).object as JsonFrame).seq, 2);
      assert.equal(n.health()!.parseServer?.state, 'unreachable');
      assert.match(logs.join('\n'), /could not resolve a session token: .*(abort|timeout)/i);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a LiveQuery-only node pointed at an embedded stack resolves its tokens there: a private row reaches its owner only', async () => {
    const logs: string[] = [];
    const stack = await node({ redisURL: redis.url }, logs);
    const liveOnly = await node({ redisURL: redis.url, parseServerURL: stack.restURL }, logs);
    await healthUntil(liveOnly, (h) => h.status === 'ok' && h.parseServer?.state === 'ok', 'the node saw the stack');
    const run = unique();
    const alice = await rest.signUp(stack, unique('alice'), 'pw');
    const owner = await RawSocket.open(liveOnly.liveQueryURL);
    sockets.push(owner);
    owner.send({ op: 'connect', applicationId: DEFAULT_KEYS.applicationId, javascriptKey: DEFAULT_KEYS.javascriptKey, sessionToken: alice.sessionToken });
    await owner.nextOp('connected');
    owner.send({ op: 'subscribe', requestId: 1, query: { className: 'Note', where: { run } } });
    await owner.nextOp('subscribed', 1);
    const anonymous = await subscriber(liveOnly.liveQueryURL, run);
    await rest.createObject(stack, 'Note', { run, seq: 1 }, { sessionToken: alice.sessionToken, acl: { [alice.objectId]: { read: true, write: true } } });
    await rest.createObject(stack, 'Note', { run, seq: 2 });
    assert.equal(((await owner.nextOp('create', 1)).object as JsonFrame).seq, 1);
    assert.equal(((await owner.nextOp('create', 1)).object as JsonFrame).seq, 2);
    // In order on one socket: the public seq 2 first means the private seq 1 was not sent to the anonymous client.
    assert.equal(((await anonymous.nextOp('create', 1)).object as JsonFrame).seq, 2);
  });

  it('two embedded nodes without --parse-server form a fleet: a write on one reaches the clients of both', async () => {
    const logs: string[] = [];
    const a = await node({ redisURL: redis.url }, logs);
    const b = await node({ redisURL: redis.url }, logs);
    await healthUntil(a, (h) => h.status === 'ok', 'node a subscribed and publishing');
    await healthUntil(b, (h) => h.status === 'ok', 'node b subscribed and publishing');
    assert.equal(a.health()!.node.mode, 'embedded-fleet');
    const run = unique();
    const onA = await subscriber(a.liveQueryURL, run);
    const onB = await subscriber(b.liveQueryURL, run);
    await rest.createObject(a, 'Note', { run, seq: 1 });
    await rest.createObject(b, 'Note', { run, seq: 2 });
    for (const socket of [onA, onB]) {
      await createdSeq(socket, 1);
      await createdSeq(socket, 2);
    }
  });
});

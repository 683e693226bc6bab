// LiveQuery conformance: exact frames, pinned on real parse-server 9.10.0 (the reference); the embedded server must match.
// Each test compares whole frames. Nothing is ignored: clientIds come from `connected`, objectIds and dates from the REST
// answers of the writes that caused the events, so an expected frame is known in full before it arrives.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { RawSocket, type JsonFrame } from './harness/raw-socket.js';
import * as rest from './harness/rest.js';
import type { LiveQueryTarget, TargetKind } from './harness/target.js';
import { CONFORMANCE_KINDS, startTarget } from './harness/targets.js';

/** How long a "nothing arrives" check listens. Events arrive within a few ms on loopback; this is the margin. */
const NOTHING_MS = Number(process.env.LQ_CONFORMANCE_NOTHING_MS ?? 150);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type ACL = rest.ParseACL;
type Fields = Record<string, unknown>;
type EventOp = 'create' | 'enter' | 'update' | 'leave' | 'delete';

interface Client {
  socket: RawSocket;
  clientId: string;
  installationId?: string;
}

/** What the server knows about one row, as REST JSON. */
interface Snapshot {
  className: string;
  objectId: string;
  createdAt: string;
  updatedAt: string;
  fields: Fields;
  acl?: ACL;
}

/** Full REST JSON of a row, as LiveQuery sends it in `object` / `original`. */
function json(s: Snapshot): JsonFrame {
  return { ...s.fields, ...(s.acl ? { ACL: s.acl } : {}), className: s.className, objectId: s.objectId, createdAt: s.createdAt, updatedAt: s.updatedAt };
}

/** The row trimmed by a subscription's `keys`: the keys that exist, plus className/objectId/createdAt/updatedAt/ACL. */
function trimmed(s: Snapshot, keys: string[]): JsonFrame {
  const full = json(s);
  const out: JsonFrame = {};
  for (const k of ['className', 'objectId', 'updatedAt', 'createdAt', 'ACL', ...keys]) if (k in full) out[k] = full[k];
  return out;
}

/** Applies REST update operators the tests use ({__op: Delete | Increment}) to local fields. */
function applyChanges(fields: Fields, changes: Fields): Fields {
  const next = { ...fields };
  for (const [key, value] of Object.entries(changes)) {
    const op = typeof value === 'object' && value !== null && '__op' in value ? (value as { __op: string; amount?: number }) : null;
    if (op?.__op === 'Delete') delete next[key];
    else if (op?.__op === 'Increment') next[key] = (typeof next[key] === 'number' ? (next[key] as number) : 0) + (op.amount ?? 1);
    else if (op) throw new Error(`applyChanges: unsupported ${op.__op}`);
    else next[key] = value;
  }
  return next;
}

function conformance(kind: TargetKind): void {
  let target: LiveQueryTarget;
  const opened: RawSocket[] = [];
  let counter = 0;
  /** A value unique to this file run, for `run` fields, usernames and the like: tests never see each other's rows. */
  const unique = (prefix = 'r'): string => `${prefix}${++counter}_${Math.random().toString(36).slice(2, 8)}`;

  before(async () => {
    target = await startTarget(kind);
  });
  after(async () => {
    await target?.stop();
  });
  // Every frame a test received must have been taken by an assertion: leftovers are unexpected frames.
  afterEach(async () => {
    const sockets = opened.splice(0);
    const leftovers = sockets.flatMap((s, i) => s.unread().map((f) => `  socket ${i + 1}: ${f.raw}`));
    await Promise.all(sockets.map((s) => s.terminate()));
    if (leftovers.length) throw new Error(`unexpected frames left unread:\n${leftovers.join('\n')}`);
  });

  // ---------- sockets and expected frames ----------
  async function open(): Promise<RawSocket> {
    const socket = await RawSocket.open(target.liveQueryURL);
    opened.push(socket);
    return socket;
  }
  function connectFrame(extra: Fields = {}): Fields {
    return { op: 'connect', applicationId: target.applicationId, javascriptKey: target.javascriptKey, ...extra };
  }
  function connected(clientId: string, installationId?: string): JsonFrame {
    return { op: 'connected', clientId, ...(installationId !== undefined ? { installationId } : {}) };
  }
  function common(c: Client): JsonFrame {
    return { clientId: c.clientId, ...(c.installationId !== undefined ? { installationId: c.installationId } : {}) };
  }
  function subscribed(c: Client, requestId: number): JsonFrame {
    return { op: 'subscribed', ...common(c), requestId };
  }
  function unsubscribed(c: Client, requestId: number): JsonFrame {
    return { op: 'unsubscribed', ...common(c), requestId };
  }
  function event(c: Client, op: EventOp, requestId: number, object: JsonFrame, original?: JsonFrame): JsonFrame {
    return { op, ...common(c), requestId, object, ...(original ? { original } : {}) };
  }
  function error(code: number, text: string, reconnect = true, requestId: number | null = null): JsonFrame {
    return { op: 'error', error: text, code, reconnect, requestId };
  }

  /** Opens a socket, sends `connect` (target keys plus `extra`; undefined drops a key) and checks the exact `connected`. */
  async function connect(extra: Fields = {}, socket?: RawSocket): Promise<Client> {
    const s = socket ?? (await open());
    s.send(connectFrame(extra));
    const frame = await s.next();
    const clientId = frame.clientId;
    assert.equal(typeof clientId, 'string', `connected.clientId: ${JSON.stringify(frame)}`);
    assert.match(clientId as string, UUID_V4);
    const installationId = typeof extra.installationId === 'string' ? extra.installationId : undefined;
    assert.deepStrictEqual(frame, connected(clientId as string, installationId));
    return { socket: s, clientId: clientId as string, ...(installationId !== undefined ? { installationId } : {}) };
  }

  async function subscribe(c: Client, requestId: number, query: Fields, sessionToken?: string): Promise<void> {
    c.socket.send({ op: 'subscribe', requestId, query, ...(sessionToken ? { sessionToken } : {}) });
    assert.deepStrictEqual(await c.socket.next(), subscribed(c, requestId));
  }

  /** Takes the next frame for (op, requestId) and compares it whole. */
  async function expectFrame(c: Client, expected: JsonFrame): Promise<void> {
    const got = await c.socket.next((f) => f.op === expected.op && f.requestId === expected.requestId);
    assert.deepStrictEqual(got, expected);
  }

  async function expectNothing(...clients: Client[]): Promise<void> {
    await new Promise((r) => setTimeout(r, NOTHING_MS));
    for (const c of clients) await c.socket.expectNothing(0);
  }

  // ---------- REST writes that keep a local copy of the row ----------
  async function create(className: string, fields: Fields, options: rest.WriteOptions = {}): Promise<Snapshot> {
    const r = await rest.createObject(target, className, fields, options);
    assert.match(r.createdAt, ISO_DATE);
    return { className, objectId: r.objectId, createdAt: r.createdAt, updatedAt: r.createdAt, fields: { ...fields }, ...(options.acl ? { acl: options.acl } : {}) };
  }
  async function update(row: Snapshot, changes: Fields, options: rest.WriteOptions = {}): Promise<Snapshot> {
    const r = await rest.updateObject(target, row.className, row.objectId, changes, options);
    assert.match(r.updatedAt, ISO_DATE);
    const acl = options.acl ?? row.acl;
    return { ...row, updatedAt: r.updatedAt, fields: applyChanges(row.fields, changes), ...(acl ? { acl } : {}) };
  }
  async function remove(row: Snapshot, options: rest.RequestOptions = {}): Promise<void> {
    await rest.deleteObject(target, row.className, row.objectId, options);
  }

  // =====================================================================================
  describe('connect', () => {
    it('connect → connected with a UUID v4 clientId and nothing else', async () => {
      const c = await connect();
      await expectNothing(c);
    });

    it('installationId is echoed on connected, subscribed and events', async () => {
      const run = unique();
      const c = await connect({ installationId: 'inst-42' });
      await subscribe(c, 1, { className: 'Note', where: { run } });
      const row = await create('Note', { run, n: 1 });
      await expectFrame(c, event(c, 'create', 1, json(row)));
      assert.equal(c.installationId, 'inst-42');
    });

    it('an empty installationId is echoed as ""', async () => {
      const c = await connect({ installationId: '' });
      await subscribe(c, 7, { className: 'Note', where: { run: unique() } });
      c.socket.send({ op: 'unsubscribe', requestId: 7 });
      assert.deepStrictEqual(await c.socket.next(), unsubscribed(c, 7));
    });

    it('applicationId is never compared with the server appId', async () => {
      await connect({ applicationId: 'some-other-app' });
      await connect({ applicationId: '' });
    });

    it('the master key alone is a valid key', async () => {
      await connect({ javascriptKey: undefined, masterKey: target.masterKey });
    });

    it('one matching key is enough (a wrong masterKey next to the right javascriptKey)', async () => {
      await connect({ masterKey: 'WRONG' });
    });

    for (const [name, extra] of [
      ['no key at all', { javascriptKey: undefined }],
      ['a wrong javascriptKey', { javascriptKey: 'WRONG' }],
      ['a wrong masterKey alone', { javascriptKey: undefined, masterKey: 'WRONG' }],
      ['the javascriptKey sent as clientKey (a key name that is not configured)', { javascriptKey: undefined, clientKey: 'lq-js' }],
      ['a restAPIKey (not configured)', { javascriptKey: undefined, restAPIKey: 'anything' }],
    ] as const) {
      it(`${name} → error 4 "Key in request is not valid"; the socket stays open but has no client`, async () => {
        const s = await open();
        s.send(connectFrame(extra));
        assert.deepStrictEqual(await s.next(), error(4, 'Key in request is not valid'));
        s.send({ op: 'subscribe', requestId: 1, query: { className: 'Note', where: {} } });
        assert.deepStrictEqual(await s.next(), error(2, 'Can not find this client, make sure you connect to server before subscribing'));
        assert.equal(s.isClosed, false);
      });
    }

    it('a second connect on the same socket creates a second client; both keep their subscriptions', async () => {
      const run = unique();
      const first = await connect();
      await subscribe(first, 1, { className: 'Note', where: { run } });
      const second = await connect({ installationId: 'second' }, first.socket);
      assert.notEqual(second.clientId, first.clientId);
      await subscribe(second, 1, { className: 'Note', where: { run } });
      const row = await create('Note', { run });
      await expectFrame(first, event(first, 'create', 1, json(row)));
      const other = await first.socket.next((f) => f.op === 'create');
      assert.deepStrictEqual(other, event(second, 'create', 1, json(row)));
      await expectNothing(first);
    });
  });

  // =====================================================================================
  describe('events', () => {
    it('create: object is the REST JSON of the new row, no original', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run } });
      const row = await create('Game', { run, name: 'g1', score: 20 });
      await expectFrame(c, event(c, 'create', 1, json(row)));
      await expectNothing(c);
    });

    it('update: object is the new state, original the previous one', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run } });
      const v1 = await create('Game', { run, name: 'g1', score: 20 });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { score: 30 });
      await expectFrame(c, event(c, 'update', 1, json(v2), json(v1)));
      await expectNothing(c);
    });

    it('leave: the row stops matching; object is the new state, original the previous one', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run, score: { $gt: 10 } } });
      const v1 = await create('Game', { run, score: 20 });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { score: 5 });
      await expectFrame(c, event(c, 'leave', 1, json(v2), json(v1)));
      await expectNothing(c);
    });

    it('enter: a row starts matching; object is the new state, original the previous one', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run, score: { $gt: 10 } } });
      const v1 = await create('Game', { run, score: 5 });
      const v2 = await update(v1, { score: 50 });
      await expectFrame(c, event(c, 'enter', 1, json(v2), json(v1)));
      await expectNothing(c);
    });

    it('delete: object is the last state, no original', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run } });
      const v1 = await create('Game', { run, score: 1 });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      await remove(v1);
      await expectFrame(c, event(c, 'delete', 1, json(v1)));
      await expectNothing(c);
    });

    it('nothing for rows that match neither before nor after, nor for deleting them', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Game', where: { run, score: { $gt: 10 } } });
      const v1 = await create('Game', { run, score: 1 });
      const v2 = await update(v1, { score: 2 });
      await remove(v2);
      await create('Game', { run: unique(), score: 99 });
      await expectNothing(c);
    });

    it('REST JSON encodings: Date, Pointer, GeoPoint, nested object, array, boolean, ACL', async () => {
      const run = unique();
      const user = await rest.signUp(target, unique('u'), 'pw');
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run } });
      const v1 = await create(
        'Item',
        {
          run,
          n: -1.5e-7,
          s: 'héllo \u{1F389} "quoted" \\ \n',
          flag: true,
          arr: [1, 'a', { k: 'v' }, [], {}],
          nested: { a: { b: 1 } },
          d: { __type: 'Date', iso: '2020-01-02T03:04:05.000Z' },
          p: { __type: 'Pointer', className: '_User', objectId: user.objectId },
          g: { __type: 'GeoPoint', latitude: 1.5, longitude: -2.25 },
        },
        { acl: { '*': { read: true, write: true } } },
      );
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { d: { __type: 'Date', iso: '2021-06-07T08:09:10.123Z' }, nested: { a: { b: 2 } } });
      await expectFrame(c, event(c, 'update', 1, json(v2), json(v1)));
    });

    it('an unset field is absent from object and present in original; Increment sends the result', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run } });
      const v1 = await create('Item', { run, n: 1, s: 'gone soon' });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { n: { __op: 'Increment', amount: 2 }, s: { __op: 'Delete' } });
      assert.equal(v2.fields.n, 3);
      assert.equal('s' in v2.fields, false);
      await expectFrame(c, event(c, 'update', 1, json(v2), json(v1)));
    });

    it('the same query on two requestIds: each gets its own event', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run } });
      await subscribe(c, 2, { className: 'Note', where: { run } });
      const row = await create('Note', { run });
      await expectFrame(c, event(c, 'create', 1, json(row)));
      await expectFrame(c, event(c, 'create', 2, json(row)));
      await expectNothing(c);
    });

    it('query operators select the same rows as Parse Server', async () => {
      const run = unique();
      const c = await connect();
      const constraints: Fields[] = [
        { n: { $in: [5, 99] } },
        { n: { $ne: 5 } },
        { n: { $nin: [5] } },
        { n: { $exists: true } },
        { n: { $exists: false } },
        { n: { $eq: 15 } },
        { text: { $regex: '^hel' } },
        { text: { $regex: 'WORLD', $options: 'i' } },
        { tags: 'a' },
        { tags: { $all: ['a', 'b'] } },
        { tags: { $in: ['c'] } },
        { 'nested.k': 1 },
        { n: 5, text: 'hello world' },
        { $or: [{ n: 15 }, { text: 'hello world' }] },
        { $nor: [{ n: 5 }] },
        { n: { $foo: 1 } },
      ];
      const expected: string[][] = [
        ['o1'],
        ['o2', 'o3'],
        ['o2', 'o3'],
        ['o1', 'o2'],
        ['o3'],
        ['o2'],
        ['o1'],
        ['o1'],
        ['o1'],
        ['o1'],
        ['o2'],
        ['o1'],
        ['o1'],
        ['o1', 'o2'],
        ['o2', 'o3'],
        [],
      ];
      for (let i = 0; i < constraints.length; i++) await subscribe(c, i + 1, { className: 'Note', where: { run, ...constraints[i] } });
      const rows = {
        o1: await create('Note', { run, n: 5, text: 'hello world', tags: ['a', 'b'], nested: { k: 1 } }),
        o2: await create('Note', { run, n: 15, text: 'bye', tags: ['c'] }),
        o3: await create('Note', { run }),
      };
      for (let i = 0; i < constraints.length; i++) {
        for (const name of expected[i]!) {
          await expectFrame(c, event(c, 'create', i + 1, json(rows[name as keyof typeof rows])));
        }
      }
      await expectNothing(c);
    });

    it('Pointer and Date values in where', async () => {
      const run = unique();
      const [ua, ub] = await Promise.all([rest.signUp(target, unique('pa'), 'pw'), rest.signUp(target, unique('pb'), 'pw')]);
      const ptr = (id: string): Fields => ({ __type: 'Pointer', className: '_User', objectId: id });
      const date = (iso: string): Fields => ({ __type: 'Date', iso });
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run, p: ptr(ua.objectId) } });
      await subscribe(c, 2, { className: 'Item', where: { run, d: { $gt: date('2020-06-01T00:00:00.000Z') } } });
      await subscribe(c, 3, { className: 'Item', where: { run, d: date('2019-01-01T00:00:00.000Z') } });
      await subscribe(c, 4, { className: 'Item', where: { run, p: { $in: [ptr(ub.objectId)] } } });
      const o1 = await create('Item', { run, p: ptr(ua.objectId), d: date('2021-01-01T00:00:00.000Z') });
      const o2 = await create('Item', { run, p: ptr(ub.objectId), d: date('2019-01-01T00:00:00.000Z') });
      await expectFrame(c, event(c, 'create', 1, json(o1)));
      await expectFrame(c, event(c, 'create', 2, json(o1)));
      await expectFrame(c, event(c, 'create', 3, json(o2)));
      await expectFrame(c, event(c, 'create', 4, json(o2)));
      await expectNothing(c);
    });

    it('GeoPoint constraints: $nearSphere + $maxDistance, $within $box, $geoWithin $centerSphere and $polygon', async () => {
      const run = unique();
      const geo = (latitude: number, longitude: number): Fields => ({ __type: 'GeoPoint', latitude, longitude });
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run, g: { $nearSphere: geo(10, 10), $maxDistance: 0.1 } } });
      await subscribe(c, 2, { className: 'Item', where: { run, g: { $within: { $box: [geo(40, 40), geo(60, 60)] } } } });
      await subscribe(c, 3, { className: 'Item', where: { run, g: { $geoWithin: { $centerSphere: [[10, 10], 0.1] } } } });
      await subscribe(c, 4, { className: 'Item', where: { run, g: { $geoWithin: { $polygon: [geo(40, 40), geo(40, 60), geo(60, 60), geo(60, 40)] } } } });
      const near = await create('Item', { run, g: geo(10.5, 10.5) });
      const far = await create('Item', { run, g: geo(50, 50) });
      await expectFrame(c, event(c, 'create', 1, json(near)));
      await expectFrame(c, event(c, 'create', 3, json(near)));
      await expectFrame(c, event(c, 'create', 2, json(far)));
      await expectFrame(c, event(c, 'create', 4, json(far)));
      await expectNothing(c);
    });

    it('$gt/$lt/$lte on a field the row lacks MATCH (Parse Server compares undefined and never rejects)', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run, n: { $gt: 10 } } });
      await subscribe(c, 2, { className: 'Note', where: { run, n: { $lte: 5 } } });
      await subscribe(c, 3, { className: 'Note', where: { run, $and: [{ n: { $gt: 1 } }, { n: { $lt: 10 } }] } });
      const row = await create('Note', { run });
      await expectFrame(c, event(c, 'create', 1, json(row)));
      await expectFrame(c, event(c, 'create', 2, json(row)));
      await expectFrame(c, event(c, 'create', 3, json(row)));
      await expectNothing(c);
    });
  });

  // =====================================================================================
  describe('keys', () => {
    it('keys trims object and original to the keys present plus className/objectId/createdAt/updatedAt/ACL', async () => {
      const run = unique();
      const keys = ['n', 'missing', 'nested'];
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run }, keys });
      const v1 = await create('Item', { run, n: 1, s: 'x', nested: { a: 1 } }, { acl: { '*': { read: true, write: true } } });
      await expectFrame(c, event(c, 'create', 1, trimmed(v1, keys)));
      assert.deepStrictEqual(Object.keys(trimmed(v1, keys)).sort(), ['ACL', 'className', 'createdAt', 'n', 'nested', 'objectId', 'updatedAt']);
      const v2 = await update(v1, { s: 'y' });
      await expectFrame(c, event(c, 'update', 1, trimmed(v2, keys), trimmed(v1, keys)));
      await remove(v2);
      await expectFrame(c, event(c, 'delete', 1, trimmed(v2, keys)));
    });

    it('keys on a row without ACL: no ACL key at all', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run }, keys: ['s'] });
      const v1 = await create('Item', { run, n: 1, s: 'x' });
      const expected = trimmed(v1, ['s']);
      assert.deepStrictEqual(Object.keys(expected).sort(), ['className', 'createdAt', 'objectId', 's', 'updatedAt']);
      await expectFrame(c, event(c, 'create', 1, expected));
    });

    it('keys also trims enter and leave (object and original)', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run, n: { $gt: 10 } }, keys: ['s'] });
      const v1 = await create('Item', { run, n: 1, s: 'x' });
      const v2 = await update(v1, { n: 20 });
      await expectFrame(c, event(c, 'enter', 1, trimmed(v2, ['s']), trimmed(v1, ['s'])));
      const v3 = await update(v2, { n: 2 });
      await expectFrame(c, event(c, 'leave', 1, trimmed(v3, ['s']), trimmed(v2, ['s'])));
    });

    it('keys and no keys on the same query: each subscription gets its own shape', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run } });
      await subscribe(c, 2, { className: 'Item', where: { run }, keys: ['n'] });
      const v1 = await create('Item', { run, n: 1, s: 'x' });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      await expectFrame(c, event(c, 'create', 2, trimmed(v1, ['n'])));
      await expectNothing(c);
    });
  });

  // =====================================================================================
  describe('watch', () => {
    it('watch filters update and create: sent only when a watched field differs from the original', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run }, watch: ['n'] });
      await create('Item', { run, s: 'no n' }); // create without n: n did not change (undefined → undefined): nothing
      const v1 = await create('Item', { run, n: 1, s: 'x' });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { s: 'y' });
      await expectNothing(c);
      const v3 = await update(v2, { n: 2 });
      await expectFrame(c, event(c, 'update', 1, json(v3), json(v2)));
      await expectNothing(c);
    });

    it('watch never filters enter, leave or delete', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run, s: 'in' }, watch: ['n'] });
      const v1 = await create('Item', { run, s: 'out' });
      const v2 = await update(v1, { s: 'in' });
      await expectFrame(c, event(c, 'enter', 1, json(v2), json(v1)));
      const v3 = await update(v2, { s: 'out' });
      await expectFrame(c, event(c, 'leave', 1, json(v3), json(v2)));
      const v4 = await update(v3, { s: 'in' });
      await expectFrame(c, event(c, 'enter', 1, json(v4), json(v3)));
      await remove(v4);
      await expectFrame(c, event(c, 'delete', 1, json(v4)));
      await expectNothing(c);
    });

    it('a watched pointer counts as changed on every save, even when it points to the same row', async () => {
      const run = unique();
      const owner = await create('Item', { run: `${run}-owner` });
      const pointer = { __type: 'Pointer', className: 'Item', objectId: owner.objectId };
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run }, watch: ['owner'] });
      const plain = await connect();
      await subscribe(plain, 1, { className: 'Item', where: { run }, watch: ['s'] });
      const v1 = await create('Item', { run, owner: pointer, s: 'x' });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      await expectFrame(plain, event(plain, 'create', 1, json(v1)));
      const v2 = await update(v1, { flag: true });
      await expectFrame(c, event(c, 'update', 1, json(v2), json(v1)));
      await expectNothing(c, plain);
    });

    it('watch with several fields: any one of them changing is enough', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Item', where: { run }, watch: ['n', 's'] });
      const v1 = await create('Item', { run, s: 'x' });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
      const v2 = await update(v1, { flag: true });
      await expectNothing(c);
      const v3 = await update(v2, { s: 'y' });
      await expectFrame(c, event(c, 'update', 1, json(v3), json(v2)));
    });
  });

  // =====================================================================================
  describe('ACL and sessions', () => {
    async function users(): Promise<{ a: rest.UserSession; b: rest.UserSession }> {
      const [a, b] = await Promise.all([rest.signUp(target, unique('alice'), 'pw'), rest.signUp(target, unique('bob'), 'pw')]);
      return { a, b };
    }
    const onlyA = (a: rest.UserSession): ACL => ({ [a.objectId]: { read: true, write: true } });

    it("a private row of A: A (token on subscribe) and a master client get create; B and anonymous get nothing", async () => {
      const run = unique();
      const { a, b } = await users();
      const ca = await connect();
      await subscribe(ca, 1, { className: 'Message', where: { run } }, a.sessionToken);
      const cb = await connect({ sessionToken: b.sessionToken });
      await subscribe(cb, 1, { className: 'Message', where: { run } });
      const anon = await connect();
      await subscribe(anon, 1, { className: 'Message', where: { run } });
      const master = await connect({ javascriptKey: undefined, masterKey: target.masterKey });
      await subscribe(master, 1, { className: 'Message', where: { run } });
      const v1 = await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      await expectFrame(ca, event(ca, 'create', 1, json(v1)));
      await expectFrame(master, event(master, 'create', 1, json(v1)));
      await expectNothing(ca, cb, anon, master);
    });

    it('grant read to B → B gets enter WITHOUT original; revoke → B gets leave whose object is the last state B could read', async () => {
      const run = unique();
      const { a, b } = await users();
      const ca = await connect({ sessionToken: a.sessionToken });
      await subscribe(ca, 1, { className: 'Message', where: { run } });
      const cb = await connect();
      await subscribe(cb, 1, { className: 'Message', where: { run } }, b.sessionToken);
      const anon = await connect();
      await subscribe(anon, 1, { className: 'Message', where: { run } });

      const v1 = await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      await expectFrame(ca, event(ca, 'create', 1, json(v1)));
      await expectNothing(cb, anon);

      const shared: ACL = { ...onlyA(a), [b.objectId]: { read: true } };
      const v2 = await update(v1, { text: 'shared' }, { sessionToken: a.sessionToken, acl: shared });
      await expectFrame(ca, event(ca, 'update', 1, json(v2), json(v1)));
      await expectFrame(cb, event(cb, 'enter', 1, json(v2)));
      await expectNothing(ca, cb, anon);

      const v3 = await update(v2, { text: 'shared again' }, { sessionToken: a.sessionToken });
      await expectFrame(ca, event(ca, 'update', 1, json(v3), json(v2)));
      await expectFrame(cb, event(cb, 'update', 1, json(v3), json(v2)));

      const v4 = await update(v3, { text: 'revoked' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      await expectFrame(ca, event(ca, 'update', 1, json(v4), json(v3)));
      await expectFrame(cb, event(cb, 'leave', 1, json(v3), json(v3)));
      await expectNothing(ca, cb, anon);

      const v5 = await update(v4, { text: 'after revoke' }, { sessionToken: a.sessionToken });
      await expectFrame(ca, event(ca, 'update', 1, json(v5), json(v4)));
      await expectNothing(ca, cb, anon);
    });

    it('public read makes anonymous and invalid-token clients get enter without original', async () => {
      const run = unique();
      const { a } = await users();
      const anon = await connect();
      await subscribe(anon, 1, { className: 'Message', where: { run } });
      const v1 = await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      const v2 = await update(v1, { text: 'public' }, { sessionToken: a.sessionToken, acl: { '*': { read: true }, ...onlyA(a) } });
      await expectFrame(anon, event(anon, 'enter', 1, json(v2)));
      await remove(v2, { sessionToken: a.sessionToken });
      await expectFrame(anon, event(anon, 'delete', 1, json(v2)));
      await expectNothing(anon);
    });

    it('leaving the query and losing read access in one save: the reader who lost access gets leave with the old state', async () => {
      const run = unique();
      const { a } = await users();
      const ca = await connect({ sessionToken: a.sessionToken });
      await subscribe(ca, 1, { className: 'Message', where: { run, text: 'in' } });
      const anon = await connect();
      await subscribe(anon, 1, { className: 'Message', where: { run, text: 'in' } });
      const v1 = await create('Message', { run, text: 'in' }, { sessionToken: a.sessionToken, acl: { '*': { read: true }, ...onlyA(a) } });
      await expectFrame(ca, event(ca, 'create', 1, json(v1)));
      await expectFrame(anon, event(anon, 'create', 1, json(v1)));
      const v2 = await update(v1, { text: 'out' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      await expectFrame(ca, event(ca, 'leave', 1, json(v2), json(v1)));
      await expectFrame(anon, event(anon, 'leave', 1, json(v1), json(v1)));
      await expectNothing(ca, anon);
    });

    it('delete of a private row reaches only its readers (by user, by role, master), never a non-reader or anonymous', async () => {
      const run = unique();
      const { a, b } = await users();
      const mod = await rest.signUp(target, unique('mod'), 'pw');
      const role = unique('mods');
      await rest.request(
        target,
        'POST',
        '/roles',
        { name: role, ACL: { '*': { read: true } }, users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: mod.objectId }] } },
        { useMasterKey: true },
      );
      const acl: ACL = { ...onlyA(a), [`role:${role}`]: { read: true } };
      const v1 = await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl });
      const query = { className: 'Message', where: { run } };
      const byUser = await connect({ sessionToken: a.sessionToken });
      await subscribe(byUser, 1, query);
      const byRole = await connect();
      await subscribe(byRole, 1, query, mod.sessionToken);
      const master = await connect({ javascriptKey: undefined, masterKey: target.masterKey });
      await subscribe(master, 1, query);
      const nonReader = await connect({ sessionToken: b.sessionToken });
      await subscribe(nonReader, 1, query);
      const anon = await connect();
      await subscribe(anon, 1, query);
      await remove(v1, { sessionToken: a.sessionToken });
      for (const c of [byUser, byRole, master]) await expectFrame(c, event(c, 'delete', 1, json(v1)));
      await expectNothing(byUser, byRole, master, nonReader, anon);
    });

    it('the session token works on the connect frame, on the subscribe frame, or on both', async () => {
      const run = unique();
      const { a } = await users();
      const onConnect = await connect({ sessionToken: a.sessionToken });
      await subscribe(onConnect, 1, { className: 'Message', where: { run } });
      const onSubscribe = await connect();
      await subscribe(onSubscribe, 1, { className: 'Message', where: { run } }, a.sessionToken);
      const both = await connect({ sessionToken: a.sessionToken });
      await subscribe(both, 1, { className: 'Message', where: { run } }, a.sessionToken);
      const v1 = await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      for (const c of [onConnect, onSubscribe, both]) await expectFrame(c, event(c, 'create', 1, json(v1)));
      await expectNothing(onConnect, onSubscribe, both);
    });

    it("B's token on the subscribe frame does not hide what A's token on the connect frame can read", async () => {
      const run = unique();
      const { a, b } = await users();
      const c = await connect({ sessionToken: a.sessionToken });
      await subscribe(c, 1, { className: 'Message', where: { run } }, b.sessionToken);
      const v1 = await create('Message', { run, text: 'for A' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      await expectFrame(c, event(c, 'create', 1, json(v1)));
    });

    it('an invalid session token is not an error: connected, subscribed, public events only', async () => {
      const run = unique();
      const { a } = await users();
      const c = await connect({ sessionToken: 'r:not-a-real-token' });
      await subscribe(c, 1, { className: 'Message', where: { run } }, 'r:also-not-real');
      await create('Message', { run, text: 'private' }, { sessionToken: a.sessionToken, acl: onlyA(a) });
      const pub = await create('Message', { run, text: 'public' });
      await expectFrame(c, event(c, 'create', 1, json(pub)));
      await expectNothing(c);
    });
  });

  // =====================================================================================
  describe('errors', () => {
    it('unknown op → error 1 with the tv4 text, requestId null, reconnect true', async () => {
      const c = await connect();
      c.socket.send({ op: 'bogus' });
      assert.deepStrictEqual(await c.socket.next(), error(1, 'No enum match for: "bogus"'));
      c.socket.send({ op: 'query', requestId: 1 });
      assert.deepStrictEqual(await c.socket.next(), error(1, 'No enum match for: "query"'));
      await expectNothing(c);
    });

    const schemaCases: [string, string, string][] = [
      ['not an object: null', 'null', 'Invalid type: null (expected object)'],
      ['not an object: array', '[1]', 'Invalid type: array (expected object)'],
      ['not an object: string', '"hello"', 'Invalid type: string (expected object)'],
      ['not an object: number', '42', 'Invalid type: number (expected object)'],
      ['missing op', '{}', 'Missing required property: op'],
      ['op of the wrong type', '{"op":5}', 'Invalid type: number (expected string)'],
      ['connect without applicationId', '{"op":"connect"}', 'Missing required property: applicationId'],
      ['connect: applicationId of the wrong type', '{"op":"connect","applicationId":5}', 'Invalid type: number (expected string)'],
      ['connect: a key that is null', '{"op":"connect","applicationId":"x","javascriptKey":null}', 'Invalid type: null (expected string)'],
      ['connect: extra field', '{"op":"connect","applicationId":"x","extra":1}', 'Additional properties not allowed'],
      ['subscribe without requestId', '{"op":"subscribe","query":{"className":"Game","where":{}}}', 'Missing required property: requestId'],
      ['subscribe: requestId as a string', '{"op":"subscribe","requestId":"7","query":{"className":"Game","where":{}}}', 'Invalid type: string (expected number)'],
      ['subscribe without query', '{"op":"subscribe","requestId":1}', 'Missing required property: query'],
      ['subscribe without where', '{"op":"subscribe","requestId":8,"query":{"className":"Game"}}', 'Missing required property: where'],
      ['subscribe without className', '{"op":"subscribe","requestId":1,"query":{"where":{}}}', 'Missing required property: className'],
      ['subscribe: className of the wrong type', '{"op":"subscribe","requestId":1,"query":{"className":5,"where":{}}}', 'Invalid type: number (expected string)'],
      ['subscribe: where is an array', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":[]}}', 'Invalid type: array (expected object)'],
      ['subscribe: extra field in query', '{"op":"subscribe","requestId":9,"query":{"className":"Game","where":{},"extra":1}}', 'Additional properties not allowed'],
      ['subscribe: extra top-level field', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{}},"extra":true}', 'Additional properties not allowed'],
      ['subscribe: the old `fields` name', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{},"fields":["a"]}}', 'Additional properties not allowed'],
      ['subscribe: empty keys', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{},"keys":[]}}', 'Array is too short (0), minimum 1'],
      ['subscribe: duplicate keys', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{},"keys":["a","a"]}}', 'Array items are not unique (indices 0 and 1)'],
      ['subscribe: a key that is not a string', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{},"keys":[1]}}', 'Invalid type: number (expected string)'],
      ['subscribe: empty watch', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{},"watch":[]}}', 'Array is too short (0), minimum 1'],
      ['subscribe: sessionToken null', '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{}},"sessionToken":null}', 'Invalid type: null (expected string)'],
      ['update without query', '{"op":"update","requestId":1}', 'Missing required property: query'],
      ['unsubscribe without requestId', '{"op":"unsubscribe"}', 'Missing required property: requestId'],
      ['unsubscribe: requestId as a string', '{"op":"unsubscribe","requestId":"1"}', 'Invalid type: string (expected number)'],
      ['unsubscribe: extra field', '{"op":"unsubscribe","requestId":1,"x":1}', 'Additional properties not allowed'],
      ['op is an array', '{"op":["connect"]}', 'Invalid type: array (expected string)'],
      ['op is null', '{"op":null}', 'Invalid type: null (expected string)'],
      ['op names are case-sensitive', '{"op":"CONNECT","applicationId":"x"}', 'No enum match for: "CONNECT"'],
      ['unknown op with extra fields', '{"op":"bogus","x":1}', 'No enum match for: "bogus"'],
      ['subscribe: query is a string', '{"op":"subscribe","requestId":1,"query":"q"}', 'Invalid type: string (expected object)'],
      ['subscribe: requestId is Infinity (1e400)', '{"op":"subscribe","requestId":1e400,"query":{"className":"A","where":{}}}', 'Value Infinity is not a valid number'],
      // Which error wins when there are several (tv4 order): required properties first, then each property in the frame's own key order.
      ['first error: missing applicationId beats an extra field', '{"op":"connect","extra":1}', 'Missing required property: applicationId'],
      ['first error: a bad type before an extra field', '{"op":"connect","applicationId":5,"extra":1}', 'Invalid type: number (expected string)'],
      ['first error: an extra field before a bad type', '{"op":"connect","extra":1,"applicationId":5}', 'Additional properties not allowed'],
      ['first error: missing query beats a bad requestId', '{"op":"subscribe","requestId":"x"}', 'Missing required property: query'],
      ['first error: missing where beats a bad className', '{"op":"subscribe","query":{"className":5},"requestId":1}', 'Missing required property: where'],
      ['first error: nested bad type before nested extra field', '{"op":"subscribe","requestId":1,"query":{"where":{},"className":5,"x":1}}', 'Invalid type: number (expected string)'],
      ['first error: nested extra field before nested bad type', '{"op":"subscribe","requestId":1,"query":{"x":1,"where":{},"className":5}}', 'Additional properties not allowed'],
      ['first error: duplicate keys before an empty watch', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":["a","a"],"watch":[]}}', 'Array items are not unique (indices 0 and 1)'],
      ['first error: uniqueness before item types', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{},"keys":[1,1]}}', 'Array items are not unique (indices 0 and 1)'],
    ];
    for (const [name, text, message] of schemaCases) {
      it(`schema: ${name} → error 1 "${message}"`, async () => {
        const c = await connect();
        c.socket.sendText(text);
        assert.deepStrictEqual(await c.socket.next(), error(1, message));
        await c.socket.expectNothing(0);
      });
    }

    it('schema errors are checked before the connect check (error 1, not 2, on an unconnected socket)', async () => {
      const s = await open();
      s.sendText('{"op":"subscribe","requestId":"1","query":{"className":"Game","where":{}}}');
      assert.deepStrictEqual(await s.next(), error(1, 'Invalid type: string (expected number)'));
    });

    it('a binary frame is not parsed: error 1 "Missing required property: op", even with valid JSON inside', async () => {
      const s = await open();
      s.sendBinary(JSON.stringify(connectFrame()));
      assert.deepStrictEqual(await s.next(), error(1, 'Missing required property: op'));
      s.sendBinary('garbage');
      assert.deepStrictEqual(await s.next(), error(1, 'Missing required property: op'));
    });

    it('bad JSON gets no reply at all, and the socket keeps working', async () => {
      const s = await open();
      s.sendText('this is {not json');
      s.sendText('{"op":"connect",');
      const c = await connect({}, s);
      c.socket.sendText('{bad');
      await subscribe(c, 1, { className: 'Note', where: { run: unique() } });
      await expectNothing(c);
    });

    it('subscribe before connect → error 2 "…before subscribing"', async () => {
      const s = await open();
      s.send({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } });
      assert.deepStrictEqual(await s.next(), error(2, 'Can not find this client, make sure you connect to server before subscribing'));
      await s.expectNothing(NOTHING_MS);
    });

    it('unsubscribe before connect → error 2 "…before unsubscribing"', async () => {
      const s = await open();
      s.send({ op: 'unsubscribe', requestId: 1 });
      assert.deepStrictEqual(await s.next(), error(2, 'Can not find this client, make sure you connect to server before unsubscribing'));
      await s.expectNothing(NOTHING_MS);
    });

    it('update before connect → two error 2 frames (its unsubscribe half, then its subscribe half)', async () => {
      const s = await open();
      s.send({ op: 'update', requestId: 1, query: { className: 'Game', where: {} } });
      assert.deepStrictEqual(await s.next(), error(2, 'Can not find this client, make sure you connect to server before unsubscribing'));
      assert.deepStrictEqual(await s.next(), error(2, 'Can not find this client, make sure you connect to server before subscribing'));
      await s.expectNothing(NOTHING_MS);
    });

    it('unsubscribe of an unknown requestId → error 2 naming the clientId and requestId', async () => {
      const c = await connect();
      c.socket.send({ op: 'unsubscribe', requestId: 99 });
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 99. Make sure you subscribe to live query server before unsubscribing.`),
      );
    });

    it('unsubscribe echoes a fractional or negative-zero requestId as JavaScript prints it', async () => {
      const c = await connect();
      c.socket.sendText('{"op":"unsubscribe","requestId":1.5}');
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 1.5. Make sure you subscribe to live query server before unsubscribing.`),
      );
      c.socket.sendText('{"op":"unsubscribe","requestId":-0}');
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 0. Make sure you subscribe to live query server before unsubscribing.`),
      );
    });

    for (const [name, where, message] of [
      ['$or that is not an array', { $or: {} }, '$or must be an array'],
      ['an invalid $regex', { text: { $regex: '(' } }, 'Invalid regular expression: Invalid regular expression: /(/: Unterminated group'],
      ['a $regex that is not a string', { text: { $regex: 5 } }, 'Invalid regular expression: $regex must be a string or RegExp'],
    ] as const) {
      it(`subscribe with ${name} → error 102, reconnect false, requestId set; nothing registered`, async () => {
        const c = await connect();
        c.socket.send({ op: 'subscribe', requestId: 6, query: { className: 'Note', where } });
        assert.deepStrictEqual(await c.socket.next(), error(102, message, false, 6));
        c.socket.send({ op: 'unsubscribe', requestId: 6 });
        assert.deepStrictEqual(
          await c.socket.next(),
          error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 6. Make sure you subscribe to live query server before unsubscribing.`),
        );
      });
    }

    it('_Session without a session → error 209 "Invalid session token", reconnect false, requestId set', async () => {
      const c = await connect();
      c.socket.send({ op: 'subscribe', requestId: 3, query: { className: '_Session', where: {} } });
      assert.deepStrictEqual(await c.socket.next(), error(209, 'Invalid session token', false, 3));
      c.socket.send({ op: 'subscribe', requestId: 4, query: { className: '_Session', where: {} }, sessionToken: 'r:not-a-real-token' });
      assert.deepStrictEqual(await c.socket.next(), error(209, 'Invalid session token', false, 4));
      // The failed requestId was never registered.
      c.socket.send({ op: 'unsubscribe', requestId: 3 });
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 3. Make sure you subscribe to live query server before unsubscribing.`),
      );
    });

    it('_Session with only the master key → error 209 too', async () => {
      const c = await connect({ javascriptKey: undefined, masterKey: target.masterKey });
      c.socket.send({ op: 'subscribe', requestId: 1, query: { className: '_Session', where: {} } });
      assert.deepStrictEqual(await c.socket.next(), error(209, 'Invalid session token', false, 1));
    });

    it('_Session with a valid session token → subscribed', async () => {
      const user = await rest.signUp(target, unique('sess'), 'pw');
      const c = await connect();
      await subscribe(c, 1, { className: '_Session', where: {} }, user.sessionToken);
      const viaConnect = await connect({ sessionToken: user.sessionToken });
      await subscribe(viaConnect, 1, { className: '_Session', where: {} });
    });
  });

  // =====================================================================================
  describe('subscription lifecycle', () => {
    it('update op replaces the query and replies subscribed (no unsubscribed)', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run, s: 'old' } });
      c.socket.send({ op: 'update', requestId: 1, query: { className: 'Note', where: { run, s: 'new' } } });
      assert.deepStrictEqual(await c.socket.next(), subscribed(c, 1));
      await create('Note', { run, s: 'old' });
      const fresh = await create('Note', { run, s: 'new' });
      await expectFrame(c, event(c, 'create', 1, json(fresh)));
      await expectNothing(c);
    });

    it('update op can change keys and watch', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run } });
      c.socket.send({ op: 'update', requestId: 1, query: { className: 'Note', where: { run }, keys: ['s'], watch: ['s'] } });
      assert.deepStrictEqual(await c.socket.next(), subscribed(c, 1));
      const v1 = await create('Note', { run, s: 'a', n: 1 });
      await expectFrame(c, event(c, 'create', 1, trimmed(v1, ['s'])));
      const v2 = await update(v1, { n: 2 });
      await expectNothing(c);
      const v3 = await update(v2, { s: 'b' });
      await expectFrame(c, event(c, 'update', 1, trimmed(v3, ['s']), trimmed(v2, ['s'])));
    });

    it('update op for an unknown requestId → error 2, then it subscribes anyway', async () => {
      const run = unique();
      const c = await connect();
      c.socket.send({ op: 'update', requestId: 77, query: { className: 'Note', where: { run } } });
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 77. Make sure you subscribe to live query server before unsubscribing.`),
      );
      assert.deepStrictEqual(await c.socket.next(), subscribed(c, 77));
      const row = await create('Note', { run });
      await expectFrame(c, event(c, 'create', 77, json(row)));
    });

    it('unsubscribe → unsubscribed, then no more events; a second unsubscribe → error 2', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run } });
      await subscribe(c, 2, { className: 'Note', where: { run } });
      c.socket.send({ op: 'unsubscribe', requestId: 1 });
      assert.deepStrictEqual(await c.socket.next(), unsubscribed(c, 1));
      const row = await create('Note', { run });
      await expectFrame(c, event(c, 'create', 2, json(row)));
      await expectNothing(c);
      c.socket.send({ op: 'unsubscribe', requestId: 1 });
      assert.deepStrictEqual(
        await c.socket.next(),
        error(2, `Cannot find subscription with clientId ${c.clientId} subscriptionId 1. Make sure you subscribe to live query server before unsubscribing.`),
      );
    });

    it('reusing a requestId replaces the subscription: subscribed again, events only for the new query, no duplicates', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run, s: 'first' } });
      await subscribe(c, 1, { className: 'Note', where: { run, s: 'second' } });
      await create('Note', { run, s: 'first' });
      const second = await create('Note', { run, s: 'second' });
      await expectFrame(c, event(c, 'create', 1, json(second)));
      await expectNothing(c);
      // The same query twice under one requestId: still one event.
      await subscribe(c, 1, { className: 'Note', where: { run, s: 'second' } });
      const again = await create('Note', { run, s: 'second' });
      await expectFrame(c, event(c, 'create', 1, json(again)));
      await expectNothing(c);
    });

    it('requestIds are per client: two clients may use the same one', async () => {
      const run = unique();
      const c1 = await connect();
      const c2 = await connect();
      await subscribe(c1, 5, { className: 'Note', where: { run } });
      await subscribe(c2, 5, { className: 'Note', where: { run } });
      c1.socket.send({ op: 'unsubscribe', requestId: 5 });
      assert.deepStrictEqual(await c1.socket.next(), unsubscribed(c1, 5));
      const row = await create('Note', { run });
      await expectFrame(c2, event(c2, 'create', 5, json(row)));
      await expectNothing(c1, c2);
    });

    it('subscribing to a class that is not served is still acknowledged', async () => {
      const c = await connect();
      await subscribe(c, 1, { className: 'NoSuchClass', where: {} });
    });

    it('closing a socket drops its subscriptions without disturbing other clients', async () => {
      const run = unique();
      const gone = await connect();
      await subscribe(gone, 1, { className: 'Note', where: { run } });
      const stays = await connect();
      await subscribe(stays, 1, { className: 'Note', where: { run } });
      await gone.socket.close();
      const row = await create('Note', { run });
      await expectFrame(stays, event(stays, 'create', 1, json(row)));
      await expectNothing(stays);
    });
  });

  // =====================================================================================
  // Last: a restart drops every socket.
  describe('restart', () => {
    it('restart drops open sockets; the server comes back on the same URL with no memory of clients', async () => {
      const run = unique();
      const c = await connect();
      await subscribe(c, 1, { className: 'Note', where: { run } });
      const closed = c.socket.closed;
      await target.restart({ downMs: 50 });
      await closed;
      assert.equal(c.socket.isClosed, true);
      const again = await connect();
      again.socket.send({ op: 'unsubscribe', requestId: 1 });
      assert.deepStrictEqual(
        await again.socket.next(),
        error(2, `Cannot find subscription with clientId ${again.clientId} subscriptionId 1. Make sure you subscribe to live query server before unsubscribing.`),
      );
      await subscribe(again, 1, { className: 'Note', where: { run } });
      const row = await create('Note', { run });
      await expectFrame(again, event(again, 'create', 1, json(row)));
    });
  });
}

for (const kind of CONFORMANCE_KINDS) {
  describe(kind, () => conformance(kind));
}

// Proof of src/lint against the real Parse Server 9.10 (and the embedded server): each `refused` rule is answered with
// its error code, each `never` rule subscribes but gets nothing for a write that matches by intent while a near-miss
// query (not flagged) gets that write's event, and each `warning` rule's surprise really happens.
//
// "Nothing" is known with a sentinel: after the writes an object of another class is created, and once its event has
// arrived on the socket, whatever the socket did not get before it is not coming (Parse Server sends a client's
// events in order). Run: `npx tsx scripts/run-tests.ts unit lint-against`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fieldsFromSchema, lintSubscription, type KnownFields, type LintId, type LintSeverity } from '../src/lint/index.js';
import { RawSocket, type JsonFrame } from './harness/raw-socket.js';
import * as rest from './harness/rest.js';
import type { LiveQueryTarget, TargetKind } from './harness/target.js';
import { startTarget } from './harness/targets.js';

type Json = Record<string, unknown>;
interface Query {
  className: string;
  where: Json;
  keys?: string[];
  watch?: string[];
}

const CLASS = 'Note';
const SENTINEL_CLASS = 'Item';
const SENTINEL_REQUEST = 1000;
const master = { useMasterKey: true };

const geo = (latitude: number, longitude: number): Json => ({ __type: 'GeoPoint', latitude, longitude });
const date = (iso: string): Json => ({ __type: 'Date', iso });
const userPtr = (objectId: string): Json => ({ __type: 'Pointer', className: '_User', objectId });
const note = (where: Json, extra: Partial<Query> = {}): Query => ({ className: CLASS, where, ...extra });

/** A flagged query gets nothing for `write` (which matches it by intent); the near-miss gets that write's create. */
interface NeverCase {
  rule: LintId;
  flagged: Query;
  nearMiss: Query;
  write: Json;
}

/** The server answers the subscribe frame with an error of this code. */
interface RefusedCase {
  rule: LintId;
  frame: (requestId: number) => Json;
  code: number;
  nearMiss: (requestId: number) => Json;
}

/** The surprise a warning names: a write that the query excludes by intent arrives anyway. */
interface WarningCase {
  rule: LintId;
  flagged: Query;
  write: Json;
}

function neverCases(aliceId: string): NeverCase[] {
  return [
    { rule: 'unsupported-operator', flagged: note({ title: { $text: { $search: { $term: 'hello' } } } }), nearMiss: note({ title: { $regex: 'hello', $options: 'i' } }), write: { title: 'Hello world' } },
    { rule: 'unsupported-operator', flagged: note({ tag: { $select: { query: { className: 'Item', where: {} }, key: 'name' } } }), nearMiss: note({ tag: { $in: ['sel'] } }), write: { tag: 'sel' } },
    { rule: 'unsupported-operator', flagged: note({ tag: { $dontSelect: { query: { className: 'Item', where: {} }, key: 'name' } } }), nearMiss: note({ tag: { $nin: ['x'] } }), write: { tag: 'dont' } },
    { rule: 'unsupported-operator', flagged: note({ owner: { $inQuery: { className: '_User', where: {} } } }), nearMiss: note({ owner: { $in: [userPtr(aliceId)] } }), write: { owner: userPtr(aliceId) } },
    { rule: 'unsupported-operator', flagged: note({ owner: { $notInQuery: { className: 'Item', where: {} } } }), nearMiss: note({ owner: { $exists: true } }), write: { owner: userPtr(aliceId), tag: 'niq' } },
    { rule: 'unsupported-operator', flagged: note({ loc: { $near: geo(40, 40) } }), nearMiss: note({ loc: { $nearSphere: geo(40, 40), $maxDistance: 0.01 } }), write: { loc: geo(40, 40) } },
    { rule: 'unsupported-operator', flagged: note({ $where: 'this.score > 1', tag: 'where-js' }), nearMiss: note({ score: { $gt: 1, $exists: true }, tag: 'where-js' }), write: { score: 2, tag: 'where-js' } },
    { rule: 'related-to', flagged: note({ $relatedTo: { object: userPtr(aliceId), key: 'notes' } }), nearMiss: note({ objectId: { $exists: true }, tag: 'rel' }), write: { tag: 'rel' } },
    { rule: 'max-distance-unit', flagged: note({ loc: { $maxDistanceInKilometers: 100, $nearSphere: geo(20, 20) } }), nearMiss: note({ loc: { $nearSphere: geo(20, 20), $maxDistance: 100 / 6371 } }), write: { loc: geo(20.1, 20.1) } },
    { rule: 'null-equality', flagged: note({ deleted: null, tag: 'null' }), nearMiss: note({ deleted: { $exists: false }, tag: 'null' }), write: { tag: 'null' } },
    { rule: 'array-equality', flagged: note({ tags: ['a', 'b'] }), nearMiss: note({ tags: { $all: ['a', 'b'] } }), write: { tags: ['a', 'b'] } },
    { rule: 'object-equality', flagged: note({ meta: { level: 2 } }), nearMiss: note({ 'meta.level': 2 }), write: { meta: { level: 2 } } },
    { rule: 'pointer-without-type', flagged: note({ owner: { className: '_User', objectId: aliceId }, tag: 'ptr' }), nearMiss: note({ owner: userPtr(aliceId), tag: 'ptr' }), write: { owner: userPtr(aliceId), tag: 'ptr' } },
    { rule: 'pointer-without-type', flagged: note({ owner: aliceId, tag: 'ptr-text' }), nearMiss: note({ owner: userPtr(aliceId), tag: 'ptr-text' }), write: { owner: userPtr(aliceId), tag: 'ptr-text' } },
    { rule: 'date-without-type', flagged: note({ when: '2021-03-04T05:06:07.000Z' }), nearMiss: note({ when: date('2021-03-04T05:06:07.000Z') }), write: { when: date('2021-03-04T05:06:07.000Z') } },
    { rule: 'list-operand-not-array', flagged: note({ score: { $in: 5 } }), nearMiss: note({ score: { $in: [5] } }), write: { score: 5 } },
    { rule: 'list-operand-not-array', flagged: note({ score: { $nin: 6 }, tag: 'nin' }), nearMiss: note({ score: { $nin: [7] }, tag: 'nin' }), write: { score: 6, tag: 'nin' } },
    { rule: 'watch-nested-field', flagged: note({ tag: 'watch' }, { watch: ['meta.level'] }), nearMiss: note({ tag: 'watch' }, { watch: ['meta'] }), write: { tag: 'watch', meta: { level: 9 } } },
    { rule: 'watch-never-changes', flagged: note({ tag: 'watch-id' }, { watch: ['objectId'] }), nearMiss: note({ tag: 'watch-id' }, { watch: ['tag'] }), write: { tag: 'watch-id' } },
    { rule: 'invalid-field-name', flagged: note({ 'my title': 'x' }), nearMiss: note({ title: 'x' }), write: { title: 'x' } },
  ];
}

function warningCases(): WarningCase[] {
  return [
    // The bound is in the future, yet a new object matches: a Date never compares with createdAt's ISO text.
    { rule: 'timestamp-as-date', flagged: note({ createdAt: { $gt: date('2999-01-01T00:00:00.000Z') }, tag: 'ts' }), write: { tag: 'ts' } },
    { rule: 'date-without-type', flagged: note({ when: { $gt: '2999-01-01T00:00:00.000Z' } }), write: { when: date('2001-01-01T00:00:00.000Z') } },
    { rule: 'exists-not-boolean', flagged: note({ nothere: { $exists: 'true' }, tag: 'ex' }), write: { tag: 'ex' } },
    { rule: 'list-operand-not-array', flagged: note({ tag: { $in: 'abcdef' } }), write: { tag: 'cd' } },
    { rule: 'comparison-matches-missing', flagged: note({ score: { $gt: 100 }, tag: 'cmp' }), write: { tag: 'cmp' } },
    { rule: 'max-distance-unit', flagged: note({ loc: { $nearSphere: geo(-30, -30), $maxDistanceInKilometers: 1 } }), write: { loc: geo(30, 30) } },
    // $exists: false says "no loc", yet an object with a loc near the point arrives: $nearSphere decided alone.
    { rule: 'operator-ignored', flagged: note({ loc: { $nearSphere: geo(-50, -50), $maxDistance: 0.01, $exists: false } }), write: { loc: geo(-50, -50) } },
  ];
}

function refusedCases(): RefusedCase[] {
  const sub = (requestId: number, where: Json, extra: Json = {}, query: Json = {}): Json => ({ op: 'subscribe', requestId, query: { className: CLASS, where, ...query }, ...extra });
  return [
    { rule: 'invalid-regex', frame: (id) => sub(id, { title: { $regex: 'hello', $options: 'x' } }), code: 102, nearMiss: (id) => sub(id, { title: { $regex: 'hello', $options: 'i' } }) },
    { rule: 'invalid-regex', frame: (id) => sub(id, { title: { $regex: '(?i)hello' } }), code: 102, nearMiss: (id) => sub(id, { title: { $regex: 'hello', $options: 'im' } }) },
    { rule: 'invalid-regex', frame: (id) => sub(id, { title: { $regex: 5 } }), code: 102, nearMiss: (id) => sub(id, { title: { $regex: '5' } }) },
    { rule: 'where-not-object', frame: (id) => sub(id, [] as unknown as Json), code: 1, nearMiss: (id) => sub(id, { tag: 'where-object' }) },
    { rule: 'logical-not-array', frame: (id) => sub(id, { $or: { title: 'a' } }), code: 102, nearMiss: (id) => sub(id, { $or: [{ title: 'a' }] }) },
    { rule: 'null-session-token', frame: (id) => sub(id, {}, { sessionToken: null }), code: 1, nearMiss: (id) => sub(id, { tag: 'no-token' }) },
    { rule: 'list-refused', frame: (id) => sub(id, {}, {}, { keys: [] }), code: 1, nearMiss: (id) => sub(id, {}, {}, { keys: ['title'] }) },
    { rule: 'list-refused', frame: (id) => sub(id, {}, {}, { watch: ['tag', 'tag'] }), code: 1, nearMiss: (id) => sub(id, {}, {}, { watch: ['tag'] }) },
    { rule: 'session-class-without-token', frame: (id) => ({ op: 'subscribe', requestId: id, query: { className: '_Session', where: {} } }), code: 209, nearMiss: (id) => sub(id, { tag: 'session' }) },
  ];
}

/** What lintSubscription says about a subscribe frame, with the class's schema and the connection's token. */
function lintFrame(frame: Json, fields: KnownFields | undefined, connectionToken?: string | null) {
  const query = frame.query as Query;
  const input: Parameters<typeof lintSubscription>[0] = { query, fields };
  if ('sessionToken' in frame) input.sessionToken = frame.sessionToken as string | null;
  if (connectionToken !== undefined) input.connectionToken = connectionToken;
  return lintSubscription(input);
}

function flags(found: ReturnType<typeof lintSubscription>, rule: LintId, severity: LintSeverity): boolean {
  return found.some((f) => f.id === rule && f.severity === severity);
}

function proof(kind: TargetKind): void {
  let target: LiveQueryTarget;
  const sockets: RawSocket[] = [];
  let alice: rest.UserSession;
  let bob: rest.UserSession;
  let fields: KnownFields;

  before(async () => {
    target = await startTarget(kind);
    [alice, bob] = await Promise.all([rest.signUp(target, `alice_lint_${kind}`, 'pw'), rest.signUp(target, `bob_lint_${kind}`, 'pw')]);
    // One object with every field the cases use, so that the class's schema knows their types.
    const seed = { title: 's', tag: 's', score: 0, tags: ['s'], meta: { level: 0 }, owner: userPtr(alice.objectId), when: date('2000-01-01T00:00:00.000Z'), loc: geo(-80, -80), deleted: false, mark: 's' };
    await rest.createObject(target, CLASS, seed, master);
    const known = fieldsFromSchema(await rest.request(target, 'GET', `/schemas/${CLASS}`, undefined, master));
    assert.ok(known, 'the schema answer has fields');
    fields = known;
  });
  after(async () => {
    await Promise.all(sockets.map((s) => s.terminate()));
    await target?.stop();
  });

  async function connect(sessionToken?: string): Promise<RawSocket> {
    const socket = await RawSocket.open(target.liveQueryURL);
    sockets.push(socket);
    socket.send({ op: 'connect', applicationId: target.applicationId, javascriptKey: target.javascriptKey, ...(sessionToken ? { sessionToken } : {}) });
    assert.equal((await socket.next()).op, 'connected');
    return socket;
  }

  async function subscribe(socket: RawSocket, frame: Json): Promise<JsonFrame> {
    socket.send(frame);
    return socket.next((f) => f.op === 'error' || (f.op === 'subscribed' && f.requestId === frame.requestId));
  }

  /** Creates a sentinel and returns the frames of the tested subscriptions that came before its event. */
  let sentinels = 0;
  async function framesUntilSentinel(socket: RawSocket): Promise<JsonFrame[]> {
    const { objectId } = await rest.createObject(target, SENTINEL_CLASS, { sentinel: ++sentinels }, master);
    await socket.next((f) => f.requestId === SENTINEL_REQUEST && (f.object as Json | undefined)?.objectId === objectId, 10_000);
    const frames: JsonFrame[] = [];
    while (socket.unread().some((f) => f.json?.requestId !== SENTINEL_REQUEST)) frames.push(await socket.next((f) => f.requestId !== SENTINEL_REQUEST));
    return frames;
  }

  async function withSentinel(socket: RawSocket): Promise<void> {
    const ack = await subscribe(socket, { op: 'subscribe', requestId: SENTINEL_REQUEST, query: { className: SENTINEL_CLASS, where: {} } });
    assert.equal(ack.op, 'subscribed');
  }

  it('refused: the server answers each flagged subscribe with the error code; the near-miss is subscribed and not flagged', async () => {
    const socket = await connect();
    for (const [i, c] of refusedCases().entries()) {
      const frame = c.frame(2 * i + 1);
      assert.ok(flags(lintFrame(frame, fields), c.rule, 'refused'), `lint flags ${JSON.stringify(frame)} as ${c.rule}`);
      const answer = await subscribe(socket, frame);
      assert.equal(answer.op, 'error', `${c.rule}: ${JSON.stringify(frame)} is refused`);
      assert.equal(answer.code, c.code, `${c.rule}: ${JSON.stringify(answer)}`);
      const nearMiss = c.nearMiss(2 * i + 2);
      assert.ok(!lintFrame(nearMiss, fields).some((f) => f.id === c.rule), `lint does not flag the near-miss ${JSON.stringify(nearMiss)}`);
      assert.equal((await subscribe(socket, nearMiss)).op, 'subscribed', `near-miss ${JSON.stringify(nearMiss)}`);
    }
  });

  it('refused: a connect frame with "sessionToken": null is answered with code 1', async () => {
    assert.ok(flags(lintSubscription({ query: note({}), connectionToken: null }), 'null-connection-token', 'refused'));
    const socket = await RawSocket.open(target.liveQueryURL);
    sockets.push(socket);
    socket.send({ op: 'connect', applicationId: target.applicationId, javascriptKey: target.javascriptKey, sessionToken: null });
    const answer = await socket.next();
    assert.deepEqual([answer.op, answer.code], ['error', 1]);
  });

  it('never: a write that matches by intent reaches the near-miss and never the flagged query', async () => {
    const socket = await connect();
    const cases = neverCases(alice.objectId);
    for (const [i, c] of cases.entries()) {
      assert.ok(flags(lintSubscription({ query: c.flagged, fields }), c.rule, 'never'), `lint flags ${JSON.stringify(c.flagged)} as ${c.rule} (never)`);
      assert.ok(!lintSubscription({ query: c.nearMiss, fields }).some((f) => f.id === c.rule), `lint does not flag the near-miss ${JSON.stringify(c.nearMiss)}`);
      for (const [requestId, query] of [[i + 1, c.flagged], [100 + i + 1, c.nearMiss]] as const) {
        assert.equal((await subscribe(socket, { op: 'subscribe', requestId, query })).op, 'subscribed', JSON.stringify(query));
      }
    }
    await withSentinel(socket);
    const written: string[] = [];
    for (const c of cases) written.push((await rest.createObject(target, CLASS, c.write, master)).objectId);
    const frames = await framesUntilSentinel(socket);
    for (const [i, c] of cases.entries()) {
      const flaggedGot = frames.filter((f) => f.requestId === i + 1).map((f) => `${f.op} ${JSON.stringify(f.object)}`);
      assert.deepEqual(flaggedGot, [], `${c.rule}: ${JSON.stringify(c.flagged)} gets nothing`);
      const nearMissGot = frames.some((f) => f.requestId === 100 + i + 1 && f.op === 'create' && (f.object as Json).objectId === written[i]);
      assert.ok(nearMissGot, `${c.rule}: the near-miss ${JSON.stringify(c.nearMiss)} gets the create of ${JSON.stringify(c.write)}`);
    }
  });

  it('never: createdAt equal to a Date never matches; the same instant as ISO text does', async () => {
    const socket = await connect();
    const { objectId, createdAt } = await rest.createObject(target, CLASS, { tag: 'created-eq' }, master);
    const flagged = note({ createdAt: date(createdAt), tag: 'created-eq' });
    const nearMiss = note({ createdAt, tag: 'created-eq' });
    assert.ok(flags(lintSubscription({ query: flagged, fields }), 'timestamp-as-date', 'never'));
    assert.deepEqual(lintSubscription({ query: nearMiss, fields }), []);
    assert.equal((await subscribe(socket, { op: 'subscribe', requestId: 1, query: flagged })).op, 'subscribed');
    assert.equal((await subscribe(socket, { op: 'subscribe', requestId: 2, query: nearMiss })).op, 'subscribed');
    await withSentinel(socket);
    await rest.updateObject(target, CLASS, objectId, { score: 1 }, master);
    const frames = await framesUntilSentinel(socket);
    assert.deepEqual(frames.map((f) => [f.requestId, f.op, (f.object as Json).objectId]), [[2, 'update', objectId]]);
  });

  it('warning: what each warning says happens does happen', async () => {
    const socket = await connect();
    const cases = warningCases();
    for (const [i, c] of cases.entries()) {
      assert.ok(flags(lintSubscription({ query: c.flagged, fields }), c.rule, 'warning'), `lint warns ${c.rule} on ${JSON.stringify(c.flagged)}`);
      assert.equal((await subscribe(socket, { op: 'subscribe', requestId: i + 1, query: c.flagged })).op, 'subscribed');
    }
    await withSentinel(socket);
    const written: string[] = [];
    for (const c of cases) written.push((await rest.createObject(target, CLASS, c.write, master)).objectId);
    const frames = await framesUntilSentinel(socket);
    for (const [i, c] of cases.entries()) {
      const got = frames.some((f) => f.requestId === i + 1 && f.op === 'create' && (f.object as Json).objectId === written[i]);
      assert.ok(got, `${c.rule}: ${JSON.stringify(c.flagged)} gets the create of ${JSON.stringify(c.write)}`);
    }
  });

  it('warning: a subscription token other than the connection\'s adds its reads; an empty one leaves the connection\'s', async () => {
    const socket = await connect(alice.sessionToken);
    const differs = note({ mark: 'differs' });
    const empty = note({ mark: 'empty' });
    assert.ok(flags(lintSubscription({ query: differs, sessionToken: bob.sessionToken, connectionToken: alice.sessionToken }), 'token-differs', 'warning'));
    assert.ok(flags(lintSubscription({ query: empty, sessionToken: '', connectionToken: alice.sessionToken }), 'empty-session-token', 'warning'));
    assert.ok(!lintSubscription({ query: differs, sessionToken: alice.sessionToken, connectionToken: alice.sessionToken }).some((f) => f.id === 'token-differs'));
    assert.equal((await subscribe(socket, { op: 'subscribe', requestId: 1, query: differs, sessionToken: bob.sessionToken })).op, 'subscribed');
    assert.equal((await subscribe(socket, { op: 'subscribe', requestId: 2, query: empty, sessionToken: '' })).op, 'subscribed');
    await withSentinel(socket);
    const onlyAlice = { ACL: { [alice.objectId]: { read: true } } };
    const forAlice = await rest.createObject(target, CLASS, { mark: 'differs', ...onlyAlice }, master);
    const forBob = await rest.createObject(target, CLASS, { mark: 'differs', ACL: { [bob.objectId]: { read: true } } }, master);
    const emptyForAlice = await rest.createObject(target, CLASS, { mark: 'empty', ...onlyAlice }, master);
    const frames = await framesUntilSentinel(socket);
    const ids = (requestId: number) => frames.filter((f) => f.requestId === requestId).map((f) => (f.object as Json).objectId).sort();
    assert.deepEqual(ids(1), [forAlice.objectId, forBob.objectId].sort(), 'bob\'s subscription on alice\'s connection reads what either can read');
    assert.deepEqual(ids(2), [emptyForAlice.objectId], 'an empty token falls back to the connection\'s (alice)');
  });
}

describe('lint against Parse Server 9.10', () => proof('parse-server'));
describe('lint against the embedded server', () => proof('embedded'));

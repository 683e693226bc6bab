// Differential test of `explainEvent` against the real Parse Server 9.10: every (subscriber, subscription, write)
// decision the server makes — an event with its exact payload, or no frame at all — must be what explainEvent says.
//
// Subscribers: no token, a user by the connection's token, a user by the subscription's token, a user through a role,
// one through an inherited role, the master key. Each subscribes to every query below on one socket, plus a sentinel
// subscription (no token) on another class. After each write a public sentinel object is created; once its event arrived
// on a socket, whatever that socket did not get for the write is taken as not coming.
//
// That holds only while Parse Server fetches nothing. It checks each (client, subscription) of an event in its own async
// callback (`_onAfterSave` → `_matchesACL`), and a callback that has to fetch a token's user or a user's roles
// (`getAuthForSessionToken`, `auth.getUserRoles()`) sends its frame after later events that fetch nothing, such as the
// sentinel's. So:
// - warm-up writes make every token subscriber fetch its user and its roles, and give each a frame only once it has
//   (carol and dave get the object through role:mods, alice and bob see it leave when it is left to role:mods alone);
//   their predicted frames are awaited, then compared like every other write;
// - the LiveQuery token cache (`cacheTimeout`, 5 s by default; each cached token also keeps its roles) outlives the run,
//   so a slow run on a loaded machine fetches nothing again;
// - `liveQuery.regexTimeout` (100 ms of wall time by default, after which a `$regex` counts as not matching) outlives
//   the run too: on a loaded machine `^al` on "Alice" overran it and turned an update into a leave.
// A sentinel per subscriber that goes through the same lookups would not order anything: callbacks waiting on the same
// fetch resume together, and each then sends its frame after its own number of further steps, not in write order.
// Run: `npx tsx scripts/run-tests.ts unit explain-differential`.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { explainEvent, type ExplainAuth, type ExplainQuery, type Explanation } from '../src/explain/index.js';
import { RawSocket, type JsonFrame } from './harness/raw-socket.js';
import * as rest from './harness/rest.js';
import type { LiveQueryTarget, TargetKind } from './harness/target.js';
import { startTarget } from './harness/targets.js';

type Json = Record<string, unknown>;

const CLASS = 'Note';
const SENTINEL_CLASS = 'Item';
const SENTINEL_REQUEST = 1000;
/** Longer than any run: Parse Server's LiveQuery token cache and regex timeout (see the header). */
const LONGER_THAN_THE_RUN_MS = 60 * 60 * 1000;
/**
 * How long a warm-up write's predicted frames may take: they wait on database reads. Reached only when a frame that
 * explainEvent predicts never comes, which is then reported as a disagreement.
 */
const WARM_UP_FRAMES_WAIT_MS = 30_000;

const ptr = (objectId: string): Json => ({ __type: 'Pointer', className: '_User', objectId });

function queries(aliceId: string): ExplainQuery[] {
  return [
    { className: CLASS, where: {} },
    { className: CLASS, where: { score: { $gt: 5 } } },
    { className: CLASS, where: { score: { $lt: 5 } } }, // a missing score satisfies it (undefined >= 5 is false)
    { className: CLASS, where: { score: { $gte: 3, $lte: 10 } } },
    { className: CLASS, where: { tag: { $in: ['a', 'b'] } } },
    { className: CLASS, where: { tag: { $nin: ['a'] } } },
    { className: CLASS, where: { tag: { $exists: true } } },
    { className: CLASS, where: { tag: { $exists: false } } },
    { className: CLASS, where: { tag: null } },
    { className: CLASS, where: { name: { $regex: '^al', $options: 'i' } } },
    { className: CLASS, where: { owner: ptr(aliceId) } },
    { className: CLASS, where: { $or: [{ score: { $gte: 10 } }, { tag: 'b' }] } },
    { className: CLASS, where: { 'meta.level': 2 } },
    { className: CLASS, where: { tags: 'x' } },
    { className: CLASS, where: { tag: { $inQuery: { className: 'Item', where: {} } } } },
    { className: CLASS, where: { score: { $gt: 5 } }, keys: ['score', 'missing'] },
    { className: CLASS, where: {}, watch: ['score'] },
    { className: CLASS, where: {}, watch: ['tag', 'owner'], keys: ['tag', 'name'] },
    { className: CLASS, where: { tag: { $exists: true } }, watch: ['objectId'] },
    { className: CLASS, where: { tags: { $all: ['x', 'y'] } } },
    { className: CLASS, where: { tags: { $containedBy: ['x', 'y', 'z'] } } }, // throws on a missing array: skipped
    { className: CLASS, where: { score: { $ne: 7 } } },
    { className: CLASS, where: { $nor: [{ tag: 'a' }] } },
    { className: CLASS, where: { $and: [{ score: { $exists: true } }, { tag: { $ne: 'c' } }] } },
    { className: CLASS, where: { when: { $gt: { __type: 'Date', iso: '2020-06-01T00:00:00.000Z' } } } },
    { className: CLASS, where: { owner: { $in: [ptr(aliceId)] } } },
    { className: CLASS, where: { name: { $regex: 'e$' } }, watch: ['when'] },
  ];
}

interface Subscriber {
  name: string;
  socket: RawSocket;
  auth: ExplainAuth;
  /** Sent on the subscribe frame (else the connection's token, if any, applies). */
  subscriptionToken?: string;
}

interface Write {
  label: string;
  /** Which object the write touches (a name in `ids`). */
  key: string;
  kind: 'create' | 'update' | 'delete';
  run(): Promise<void>;
}

function differential(kind: TargetKind): void {
  let target: LiveQueryTarget;
  const sockets: RawSocket[] = [];

  before(async () => {
    // The embedded server resolves tokens and roles synchronously while delivering: its options stay the defaults.
    target = await startTarget(kind, { parseServer: { cacheTimeout: LONGER_THAN_THE_RUN_MS, regexTimeout: LONGER_THAN_THE_RUN_MS } });
  });
  after(async () => {
    await Promise.all(sockets.map((s) => s.terminate()));
    await target?.stop();
  });

  async function connect(extra: Json): Promise<RawSocket> {
    const socket = await RawSocket.open(target.liveQueryURL);
    sockets.push(socket);
    socket.send({ op: 'connect', applicationId: target.applicationId, javascriptKey: target.javascriptKey, ...extra });
    assert.equal((await socket.next()).op, 'connected');
    return socket;
  }

  const master = { useMasterKey: true };
  const getStored = async (objectId: string): Promise<Json> => rest.getObject(target, CLASS, objectId, master);

  it('explainEvent agrees with every decision the server makes', async () => {
    const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => rest.signUp(target, `${n}_${kind}`, 'pw')));
    const role = 'mods';
    // dave is in admins, and admins is one of mods' roles: dave reads what mods read (an inherited role).
    const admins = await rest.request(
      target,
      'POST',
      '/roles',
      { name: 'admins', ACL: { '*': { read: true } }, users: { __op: 'AddRelation', objects: [ptr(dave.objectId)] } },
      master,
    );
    const rolePtr = { __type: 'Pointer', className: '_Role', objectId: admins.objectId };
    await rest.request(
      target,
      'POST',
      '/roles',
      {
        name: role,
        ACL: { '*': { read: true } },
        users: { __op: 'AddRelation', objects: [ptr(carol.objectId)] },
        roles: { __op: 'AddRelation', objects: [rolePtr] },
      },
      master,
    );

    const subscribers: Subscriber[] = [
      { name: 'no token', socket: await connect({}), auth: {} },
      { name: 'alice (connection token)', socket: await connect({ sessionToken: alice.sessionToken }), auth: { userId: alice.objectId, roles: [] } },
      { name: 'bob (subscription token)', socket: await connect({}), auth: { userId: bob.objectId, roles: [] }, subscriptionToken: bob.sessionToken },
      { name: 'carol (role mods)', socket: await connect({}), auth: { userId: carol.objectId, roles: [role] }, subscriptionToken: carol.sessionToken },
      {
        name: 'dave (admins, inheriting mods)',
        socket: await connect({ sessionToken: dave.sessionToken }),
        auth: { userId: dave.objectId, roles: ['admins', role] },
      },
      { name: 'master key', socket: await connect({ javascriptKey: undefined, masterKey: target.masterKey }), auth: { master: true } },
    ];
    const subscriptions = queries(alice.objectId);
    for (const s of subscribers) {
      const token = s.subscriptionToken ? { sessionToken: s.subscriptionToken } : {};
      for (const [index, query] of subscriptions.entries()) {
        s.socket.send({ op: 'subscribe', requestId: index + 1, query: { where: {}, ...query }, ...token });
        await s.socket.nextOp('subscribed', index + 1);
      }
      s.socket.send({ op: 'subscribe', requestId: SENTINEL_REQUEST, query: { className: SENTINEL_CLASS, where: {} } });
      await s.socket.nextOp('subscribed', SENTINEL_REQUEST);
    }

    const acl = (...ids: string[]): Json => Object.fromEntries(ids.map((id) => [id, { read: true, write: true }]));
    const ids: Record<string, string> = {};
    const create = (key: string, fields: Json): Write => ({
      label: `create ${key} ${JSON.stringify(fields)}`,
      key,
      kind: 'create',
      run: async () => {
        ids[key] = (await rest.createObject(target, CLASS, fields, master)).objectId;
      },
    });
    const update = (key: string, fields: Json): Write => ({
      label: `update ${key} ${JSON.stringify(fields)}`,
      key,
      kind: 'update',
      run: () => rest.updateObject(target, CLASS, ids[key], fields, master).then(() => undefined),
    });
    const remove = (key: string): Write => ({
      label: `delete ${key}`,
      key,
      kind: 'delete',
      run: () => rest.deleteObject(target, CLASS, ids[key], master),
    });
    const A = alice.objectId;
    const B = bob.objectId;
    const MODS = `role:${role}`;
    const writes: Write[] = [
      create('n1', { name: 'Alice', score: 3, tag: 'a', owner: ptr(A), meta: { level: 2 }, tags: ['x', 'y'], ACL: { '*': { read: true } } }),
      update('n1', { when: { __type: 'Date', iso: '2021-01-01T00:00:00.000Z' } }),
      update('n1', { when: { __type: 'Date', iso: '2021-01-01T00:00:00.000Z' }, tags: ['x', 'y', 'q'] }),
      update('n1', { score: 7 }),
      update('n1', { tag: 'b' }),
      update('n1', { tag: { __op: 'Delete' } }),
      update('n1', { ACL: acl(A) }),
      update('n1', { ACL: { ...acl(A), [MODS]: { read: true } } }),
      update('n1', { ACL: acl(B), score: 12, tag: 'b' }),
      update('n1', { name: 'zed' }),
      update('n1', { ACL: { '*': { read: true } }, score: 1, owner: ptr(B) }),
      update('n1', { meta: { level: 3 }, tags: ['y'] }),
      remove('n1'),
      create('n2', { name: 'al', score: 8, tag: 'b', ACL: acl(A) }),
      update('n2', { tag: 'c' }),
      update('n2', { ACL: { [MODS]: { read: true } } }),
      update('n2', { ACL: { [MODS]: { read: true }, [B]: { read: true } }, score: 4 }),
      remove('n2'),
      create('n3', {}),
      update('n3', { owner: ptr(A), meta: { level: 2 }, score: 5 }),
      update('n3', { ACL: {} }),
      update('n3', { tag: 'a', when: { __type: 'Date', iso: '2019-01-01T00:00:00.000Z' } }),
      update('n3', { ACL: { [MODS]: { read: true } }, name: 'note' }),
      remove('n3'),
      create('n4', { score: 20, tag: 'x', ACL: { [MODS]: { read: true } } }),
      update('n4', { ACL: { [MODS]: { read: true }, '*': { read: true } } }),
      create('n5', { score: 10, watchless: true, ACL: acl(B) }),
      update('n5', { score: 10 }),
      remove('n4'),
      remove('n5'),
    ];

    // Warm-up (see the header): the object is first readable by alice, bob and role:mods, then by role:mods alone.
    const warmUp: Write[] = [
      create('w', { warm: true, ACL: { [A]: { read: true }, [B]: { read: true }, [MODS]: { read: true } } }),
      update('w', { ACL: { [MODS]: { read: true } } }),
    ];

    const tested = (f: JsonFrame): boolean => typeof f.requestId === 'number' && f.requestId < SENTINEL_REQUEST;
    /** Creates a sentinel and returns, per subscriber, the frames of the tested subscriptions that came before it. */
    let sentinels = 0;
    async function framesUntilSentinel(): Promise<JsonFrame[][]> {
      const { objectId } = await rest.createObject(target, SENTINEL_CLASS, { sentinel: ++sentinels }, master);
      return Promise.all(
        subscribers.map(async (s) => {
          await s.socket.next((f) => f.requestId === SENTINEL_REQUEST && (f.object as Json | undefined)?.objectId === objectId);
          const frames: JsonFrame[] = [];
          while (s.socket.unread().some((f) => f.json && tested(f.json))) frames.push(await s.socket.next(tested));
          return frames;
        }),
      );
    }
    /**
     * Takes, per subscriber, as many frames per subscription as `explained` predicts, waiting for them: a warm-up event
     * may come after the sentinel. A frame that never comes stops the wait at the deadline and shows as a disagreement.
     */
    async function predictedFrames(explained: Explanation[][]): Promise<JsonFrame[][]> {
      const deadline = performance.now() + WARM_UP_FRAMES_WAIT_MS;
      return Promise.all(
        subscribers.map(async (s, i) => {
          const frames: JsonFrame[] = [];
          for (const [index, explanation] of explained[i].entries()) {
            if (!explanation.event) continue;
            const frame = await s.socket
              .next((f) => f.requestId === index + 1, Math.max(0, deadline - performance.now()))
              .catch(() => null);
            if (frame) frames.push(frame);
          }
          return frames;
        }),
      );
    }

    let compared = 0;
    const outcomes: Record<string, number> = {};
    const disagreements: string[] = [];
    /** Runs one write and compares, for every subscriber and subscription, what came with what explainEvent says. */
    async function check(write: Write, { awaitPredicted }: { awaitPredicted: boolean }): Promise<Explanation[][]> {
      const before = write.kind === 'create' ? null : await getStored(ids[write.key]);
      await write.run();
      const afterWrite = write.kind === 'delete' ? null : await getStored(ids[write.key]);
      const explained = subscribers.map((s) => subscriptions.map((query) => explainEvent({ query, original: before, object: afterWrite, auth: s.auth })));
      const early = awaitPredicted ? await predictedFrames(explained) : subscribers.map(() => []);
      const windowFrames = await framesUntilSentinel();
      for (const [i, s] of subscribers.entries()) {
        for (const [index, query] of subscriptions.entries()) {
          const requestId = index + 1;
          // The predicted frames taken early are the oldest of their subscription: the order stays the arrival order.
          const frames = [...early[i], ...windowFrames[i]].filter((f) => f.requestId === requestId);
          const explanation = explained[i][index];
          const real = frames.map((f) => ({ event: f.op, object: f.object, ...(f.original ? { original: f.original } : {}) }));
          const predicted = explanation.event ? [{ event: explanation.event, ...explanation.payload }] : [];
          compared++;
          const outcome = explanation.event ?? 'no event';
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (!isDeepStrictEqual(real, predicted)) {
            const why = explanation.steps.map((step) => `${step.ok ? '✓' : '✗'} ${step.id}: ${step.detail}`).join('\n      ');
            const strays = frames.filter((f) => (f.object as Json | undefined)?.objectId !== ids[write.key]).length;
            const late = strays ? ` (${strays} of them for another object: an earlier write's frame, late)` : '';
            disagreements.push(
              `${write.label} | ${s.name} | ${JSON.stringify(query)}\n    server${late}: ${JSON.stringify(real)}\n    explain: ${JSON.stringify(predicted)}\n      ${why}`,
            );
          }
        }
      }
      return explained;
    }

    // Without a frame the warm-up proves nothing for a token subscriber: a change to the queries must keep one each.
    const warmUpGaps: string[] = [];
    for (const write of warmUp) {
      const explained = await check(write, { awaitPredicted: true });
      for (const [i, s] of subscribers.entries()) {
        if (s.auth.userId && !explained[i].some((e) => e.event)) warmUpGaps.push(`warm-up "${write.label}" gives ${s.name} no frame`);
      }
    }
    for (const write of writes) await check(write, { awaitPredicted: false });
    // A frame of the last write that came after its sentinel would otherwise go unseen.
    for (const [i, frames] of (await framesUntilSentinel()).entries()) {
      if (frames.length) disagreements.push(`after the last write | ${subscribers[i].name}\n    server: ${JSON.stringify(frames)}`);
    }

    console.log(
      `explain differential (${kind}): ${compared} decisions compared, ${disagreements.length} disagreements; ${JSON.stringify(outcomes)}`,
    );
    assert.deepEqual(disagreements, []);
    assert.deepEqual(warmUpGaps, []);
    assert.ok(compared >= (warmUp.length + writes.length) * subscribers.length * subscriptions.length);
  });
}

describe('explainEvent against Parse Server 9.10', () => differential('parse-server'));
// The embedded server shares the rules; this keeps its event pipeline (ACL-change payloads, keys) from drifting.
describe('explainEvent against the embedded server', () => differential('embedded'));

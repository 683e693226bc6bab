import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPLAIN_STEP_IDS, explainEvent, type ExplainInput, type ExplainStepId, type Explanation } from './index.js';

const ptr = (objectId: string) => ({ __type: 'Pointer', className: '_User', objectId });
const row = (fields: Record<string, unknown>) => ({
  objectId: 'n1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  ...fields,
});
const PUBLIC = { '*': { read: true } };
const query = (where: object = {}, extra: Partial<ExplainInput['query']> = {}) => ({ className: 'Note', where, ...extra });

const step = (result: Explanation, id: ExplainStepId) => {
  const found = result.steps.find((s) => s.id === id);
  assert.ok(found, `no step ${id} in ${JSON.stringify(result.steps)}`);
  return found;
};
const last = (result: Explanation) => result.steps[result.steps.length - 1];

describe('explainEvent: input', () => {
  it('malformed input becomes one failed input step, never a throw', () => {
    const bad: unknown[] = [
      null,
      42,
      { query: null, original: null, object: {}, auth: {} },
      { query: { className: '' }, original: null, object: {}, auth: {} },
      { query: { className: 'Note', where: [] }, original: null, object: {}, auth: {} },
      { query: { className: 'Note', keys: 'a' }, original: null, object: {}, auth: {} },
      { query: { className: 'Note', watch: [1] }, original: null, object: {}, auth: {} },
      { query: { className: 'Note' }, original: null, object: null, auth: {} },
      { query: { className: 'Note' }, original: 'x', object: {}, auth: {} },
      { query: { className: 'Note' }, original: null, object: {}, auth: { roles: 'mods' } },
      { query: { className: 'Note' }, original: null, object: {}, auth: { userId: 7 } },
    ];
    for (const input of bad) {
      const result = explainEvent(input as ExplainInput);
      assert.equal(result.event, null, JSON.stringify(input));
      assert.equal(result.steps.length, 1);
      assert.equal(result.steps[0].id, 'input');
      assert.equal(result.steps[0].ok, false);
      assert.ok(result.steps[0].detail.length > 10);
    }
  });

  it('an object too deep to clone is a clear message, not a crash', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const result = explainEvent({ query: query({ x: 1 }), original: null, object: row({ deep }), auth: {} });
    assert.equal(result.event, null);
    assert.equal(last(result).ok, false);
  });

  it('step ids come in the documented order', () => {
    const result = explainEvent({ query: query(), original: row({ ACL: PUBLIC }), object: row({ a: 1, ACL: PUBLIC }), auth: {} });
    const order = result.steps.map((s) => EXPLAIN_STEP_IDS.indexOf(s.id));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.deepEqual(
      result.steps.map((s) => s.id),
      ['class', 'match-original', 'match-current', 'acl-original', 'acl-current', 'event-type', 'watch', 'payload'],
    );
  });
});

describe('explainEvent: class', () => {
  it('an object of another class never reaches the subscription', () => {
    const result = explainEvent({ query: query(), original: null, object: { ...row({}), className: 'Game' }, auth: {} });
    assert.equal(result.event, null);
    assert.equal(last(result).id, 'class');
    assert.match(last(result).detail, /Game.*Note/);
  });
});

describe('explainEvent: matcher', () => {
  it('names the failing constraint and the value it saw', () => {
    const result = explainEvent({ query: query({ score: { $gt: 5 } }), original: null, object: row({ score: 3 }), auth: {} });
    assert.equal(result.event, null);
    assert.equal(step(result, 'match-current').ok, false);
    assert.match(step(result, 'match-current').detail, /score \{"\$gt":5\} does not hold: score is 3/);
    assert.equal(last(result).id, 'event-type');
    assert.equal(last(result).ok, false);
  });

  it('names operators the LiveQuery matcher never matches, and null constraints', () => {
    const inQuery = explainEvent({ query: query({ tag: { $inQuery: { className: 'X', where: {} } } }), original: null, object: row({ tag: 'a' }), auth: {} });
    assert.match(step(inQuery, 'match-current').detail, /\$inQuery, which the LiveQuery matcher never matches/);
    const related = explainEvent({ query: query({ $relatedTo: {} }), original: null, object: row({}), auth: {} });
    assert.match(step(related, 'match-current').detail, /\$relatedTo never matches/);
    const nullWhere = explainEvent({ query: query({ tag: null }), original: null, object: row({}), auth: {} });
    assert.match(step(nullWhere, 'match-current').detail, /null never matches/);
  });

  it('says when a comparison matched only because the field is missing', () => {
    const result = explainEvent({ query: query({ score: { $lt: 5 } }), original: null, object: row({}), auth: {} });
    assert.equal(result.event, 'create');
    assert.match(step(result, 'match-current').detail, /score is missing, and a missing field satisfies \$lt/);
  });

  it('a matcher that throws skips the subscription for this write (pointer constraint on a null field)', () => {
    const result = explainEvent({
      query: query({ owner: ptr('u1') }),
      original: row({ owner: null }),
      object: row({ owner: ptr('u1') }),
      auth: {},
    });
    assert.equal(result.event, null);
    assert.equal(last(result).id, 'match-original');
    assert.match(last(result).detail, /threw.*skips this subscription/);
  });
});

describe('explainEvent: ACL', () => {
  const acl = { u1: { read: true, write: true }, 'role:mods': { read: true } };

  it('names the grants, the user and the roles when the token cannot read', () => {
    const result = explainEvent({ query: query(), original: null, object: row({ ACL: acl }), auth: { userId: 'kL2p', roles: [] } });
    assert.equal(result.event, null);
    assert.equal(step(result, 'acl-current').ok, false);
    assert.equal(step(result, 'acl-current').detail, 'ACL grants read to user u1 and role:mods; this token is user kL2p with roles [] — not readable');
  });

  it('reads by user, by role (with or without the role: prefix), master key, public, or no ACL', () => {
    const cases: [ExplainInput['auth'], Record<string, unknown> | undefined, RegExp][] = [
      [{ userId: 'u1' }, acl, /this token is user u1 — readable/],
      [{ userId: 'u2', roles: ['mods'] }, acl, /user u2 with role:mods — readable/],
      [{ userId: 'u2', roles: ['role:mods'] }, acl, /user u2 with role:mods — readable/],
      [{ master: true }, acl, /master key/],
      [{}, PUBLIC, /public read/],
      [{}, undefined, /no ACL/],
    ];
    for (const [auth, objectAcl, detail] of cases) {
      const result = explainEvent({ query: query(), original: null, object: row(objectAcl ? { ACL: objectAcl } : {}), auth });
      assert.equal(result.event, 'create', JSON.stringify(auth));
      assert.match(step(result, 'acl-current').detail, detail);
    }
  });

  it('no token sees only public objects; an empty ACL is for the master key only', () => {
    const anonymous = explainEvent({ query: query(), original: null, object: row({ ACL: acl }), auth: { userId: null } });
    assert.match(step(anonymous, 'acl-current').detail, /has no user/);
    const nobody = explainEvent({ query: query(), original: null, object: row({ ACL: {} }), auth: { userId: 'u1' } });
    assert.match(step(nobody, 'acl-current').detail, /read to nobody/);
  });

  it('does not check the ACL of a version that does not match', () => {
    const result = explainEvent({ query: query({ a: 1 }), original: row({ a: 2, ACL: {} }), object: row({ a: 1, ACL: PUBLIC }), auth: {} });
    assert.match(step(result, 'acl-original').detail, /not checked/);
    assert.equal(result.event, 'enter');
  });
});

describe('explainEvent: event type', () => {
  const open = { ACL: PUBLIC };
  const cases: [string, object, Record<string, unknown> | null, Record<string, unknown>, Explanation['event']][] = [
    ['create', { a: 1 }, null, { a: 1 }, 'create'],
    ['update', { a: 1 }, { a: 1 }, { a: 1, b: 2 }, 'update'],
    ['enter', { a: 1 }, { a: 2 }, { a: 1 }, 'enter'],
    ['leave', { a: 1 }, { a: 1 }, { a: 2 }, 'leave'],
    ['nothing', { a: 1 }, { a: 2 }, { a: 3 }, null],
  ];
  for (const [name, where, before, after, event] of cases) {
    it(`${name}`, () => {
      const result = explainEvent({ query: query(where), original: before && row({ ...before, ...open }), object: row({ ...after, ...open }), auth: {} });
      assert.equal(result.event, event);
      assert.equal(step(result, 'event-type').ok, event !== null);
    });
  }

  it('delete: matched and readable → delete; otherwise the failing step is last', () => {
    const deleted = row({ a: 1, ACL: { u1: { read: true } } });
    assert.equal(explainEvent({ query: query({ a: 1 }), original: deleted, object: null, auth: { userId: 'u1' } }).event, 'delete');
    const hidden = explainEvent({ query: query({ a: 1 }), original: deleted, object: null, auth: { userId: 'u2' } });
    assert.equal(hidden.event, null);
    assert.equal(last(hidden).id, 'acl-original');
    const unmatched = explainEvent({ query: query({ a: 2 }), original: deleted, object: null, auth: { userId: 'u1' } });
    assert.equal(last(unmatched).id, 'match-original');
    assert.equal(last(unmatched).ok, false);
  });
});

describe('explainEvent: watch', () => {
  const before = row({ score: 1, name: 'a', owner: ptr('u1'), ACL: PUBLIC });

  it('an update that leaves every watched field alone sends nothing', () => {
    const result = explainEvent({ query: query({}, { watch: ['score'] }), original: before, object: { ...before, name: 'b' }, auth: {} });
    assert.equal(result.event, null);
    assert.equal(last(result).id, 'watch');
    assert.match(last(result).detail, /none of the watched fields \[score\] changed/);
  });

  it('a changed watched field lets it through, with the values; a pointer always counts as changed', () => {
    const changed = explainEvent({ query: query({}, { watch: ['score'] }), original: before, object: { ...before, score: 2 }, auth: {} });
    assert.equal(changed.event, 'update');
    assert.match(step(changed, 'watch').detail, /score \(1 → 2\)/);
    const pointer = explainEvent({ query: query({}, { watch: ['owner'] }), original: before, object: { ...before }, auth: {} });
    assert.equal(pointer.event, 'update');
    assert.match(step(pointer, 'watch').detail, /always counts as changed/);
  });

  it('a create without the watched field is silent; objectId never counts; leave ignores watch', () => {
    const create = explainEvent({ query: query({}, { watch: ['score'] }), original: null, object: row({ ACL: PUBLIC }), auth: {} });
    assert.equal(create.event, null);
    assert.match(last(create).detail, /on a create/);
    const objectId = explainEvent({ query: query({}, { watch: ['objectId'] }), original: null, object: row({ ACL: PUBLIC }), auth: {} });
    assert.match(last(objectId).detail, /objectId is not an attribute/);
    const leave = explainEvent({ query: query({ score: 1 }, { watch: ['name'] }), original: before, object: { ...before, score: 2 }, auth: {} });
    assert.equal(leave.event, 'leave');
    assert.equal(step(leave, 'watch').ok, true);
  });
});

describe('explainEvent: payload', () => {
  it('keys keep only those fields plus className, objectId, createdAt, updatedAt and ACL; absent fields are left out', () => {
    const result = explainEvent({ query: query({}, { keys: ['score', 'nope'] }), original: null, object: row({ score: 1, name: 'x' }), auth: {} });
    assert.deepEqual(result.payload, {
      object: { className: 'Note', objectId: 'n1', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z', score: 1 },
    });
    assert.match(step(result, 'payload').detail, /nope is not on the object/);
  });

  it('an ACL-loss leave sends the original as object; an ACL-grant enter sends no original', () => {
    const before = row({ a: 1, ACL: { u1: { read: true } } });
    const after = row({ a: 1, ACL: { u2: { read: true } } });
    const leave = explainEvent({ query: query(), original: before, object: after, auth: { userId: 'u1' } });
    assert.equal(leave.event, 'leave');
    assert.deepEqual(leave.payload, { object: { ...before, className: 'Note' }, original: { ...before, className: 'Note' } });
    const enter = explainEvent({ query: query(), original: before, object: after, auth: { userId: 'u2' } });
    assert.equal(enter.event, 'enter');
    assert.deepEqual(enter.payload, { object: { ...after, className: 'Note' } });
    assert.match(step(enter, 'payload').detail, /no `original` is sent/);
  });

  it("a _User's email is hidden from other users, kept for the user itself and the master key", () => {
    const user = { ...row({ username: 'x', email: 'x@example.com', ACL: PUBLIC }), className: '_User', objectId: 'u1' };
    const ask = (auth: ExplainInput['auth']) => explainEvent({ query: { className: '_User' }, original: null, object: user, auth }).payload?.object;
    assert.equal(ask({ userId: 'u2' })?.email, undefined);
    assert.equal(ask({ userId: 'u1' })?.email, 'x@example.com');
    assert.equal(ask({ master: true })?.email, 'x@example.com');
  });
});

describe('explainEvent: huge input', () => {
  it('details stay short with a huge ACL, many roles and long values', () => {
    const acl: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) acl[`user${i}`] = { read: true };
    const roles = Array.from({ length: 5000 }, (_, i) => `r${i}`);
    const result = explainEvent({
      query: query({ name: 'x'.repeat(10_000) }),
      original: row({ name: 'x'.repeat(10_000), ACL: acl }),
      object: row({ name: 'y'.repeat(100_000), ACL: acl }),
      auth: { userId: 'someone', roles },
    });
    assert.equal(result.event, null);
    for (const s of result.steps) assert.ok(s.detail.length < 1000, `${s.id}: ${s.detail.length} characters`);
    assert.match(step(result, 'acl-original').detail, /4990 more/);
  });
});

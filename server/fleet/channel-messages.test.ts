import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { decodeMessage, encodeDelete, encodeSave } from './channel-messages.js';

type Bag = Record<string, unknown>;

/** Equal as JSON text: the same keys in the same order, so the frames on the wire are byte for byte Parse's. */
function sameJSON(actual: unknown, expected: unknown): void {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

// The Parse SDK parse-server 9.10 itself loads: its node inflates each message with `_finishFetch` and sends
// `toJSON()` minus the `_`-prefixed keys (filterSensitiveData). Our decoding must give the same object.
const requireFromParseServer = createRequire(createRequire(import.meta.url).resolve('parse-server'));
const Parse = requireFromParseServer('parse/node') as {
  initialize(appId: string): void;
  Object: { new (className: string): { _finishFetch(json: Bag): void; toJSON(): Bag }; disableSingleInstance(): void };
};
Parse.initialize('lq-app');
Parse.Object.disableSingleInstance();

const HIDDEN = /^[A-Za-z][0-9A-Za-z_]*$/;
/** What Parse's node makes of a published object: removeHiddenProperties, inflate, toJSON, drop `_` keys. */
function parseNodeView(full: Bag): Bag {
  const copy = structuredClone(full);
  for (const key of Object.keys(copy)) if (key !== '__type' && !HIDDEN.test(key)) delete copy[key];
  const object = new Parse.Object(String(copy.className));
  object._finishFetch(copy);
  const json = object.toJSON();
  for (const key of Object.keys(json)) if (key.startsWith('_')) delete json[key];
  return json;
}

const FULL: Bag = {
  createdAt: '2026-12-02T10:00:00.000Z',
  updatedAt: '2026-12-02T10:00:01.000Z',
  text: 'hi',
  n: 3,
  flag: false,
  nothing: null,
  ACL: { '*': { read: true }, u1: { read: true, write: true }, 'role:mods': { read: true, write: false } },
  author: { __type: 'Pointer', className: '_User', objectId: 'u1' },
  when: { __type: 'Date', iso: '2026-01-01T00:00:00.000Z' },
  where: { __type: 'GeoPoint', latitude: 52.5, longitude: 13.4 },
  nested: { a: [1, { b: { __type: 'Date', iso: '2026-01-01T00:00:00.000Z' } }] },
  tags: ['a', 'b'],
  file: { __type: 'File', name: 'f.txt', url: 'http://x/f.txt' },
  likes: { __type: 'Relation', className: '_User' },
  included: { __type: 'Object', className: 'Item', objectId: 'i1', name: 'kept whole' },
  _hashed_password: 'secret',
  _rperm: ['*'],
  objectId: 'm1',
  __type: 'Object',
  className: 'Message',
};

describe('fleet channel messages (Parse Server 9.x format)', () => {
  it("afterSave: current and original come out as Parse's own node sees them", () => {
    const original = { ...FULL, text: 'before', updatedAt: '2026-12-02T10:00:00.500Z' };
    const decoded = decodeMessage('afterSave', JSON.stringify({ currentParseObject: FULL, originalParseObject: original, classLevelPermissions: {} }));
    assert.ok(decoded.ok);
    assert.equal(decoded.message.kind, 'afterSave');
    if (decoded.message.kind !== 'afterSave') return;
    sameJSON(decoded.message.current, parseNodeView(FULL));
    sameJSON(decoded.message.original, parseNodeView(original));
  });

  it('a create (no original) and a row with createdAt only (updatedAt = createdAt)', () => {
    const created = { createdAt: '2026-12-02T10:00:00.000Z', text: 'x', objectId: 'c1', __type: 'Object', className: 'Note' };
    const decoded = decodeMessage('afterSave', JSON.stringify({ currentParseObject: created }));
    assert.ok(decoded.ok && decoded.message.kind === 'afterSave');
    sameJSON(decoded.message.current, parseNodeView(created));
    assert.equal(decoded.message.original, null);
  });

  it('afterDelete carries the last state', () => {
    const decoded = decodeMessage('afterDelete', JSON.stringify({ currentParseObject: FULL }));
    assert.ok(decoded.ok && decoded.message.kind === 'afterDelete');
    sameJSON(decoded.message.object, parseNodeView(FULL));
  });

  it("what the embedded stack publishes reads back as the same event objects, on our node and Parse's", () => {
    const current = parseNodeView(FULL);
    const original = { ...current, text: 'before' };
    const decoded = decodeMessage('afterSave', encodeSave(current, original));
    assert.ok(decoded.ok && decoded.message.kind === 'afterSave');
    assert.deepStrictEqual(decoded.message.current, current);
    assert.deepStrictEqual(decoded.message.original, original);
    const published = JSON.parse(encodeSave(current, original)) as { currentParseObject: Bag };
    assert.deepStrictEqual(parseNodeView(published.currentParseObject), current);
    const deleted = decodeMessage('afterDelete', encodeDelete(current));
    assert.ok(deleted.ok && deleted.message.kind === 'afterDelete');
    assert.deepStrictEqual(deleted.message.object, current);
  });

  it('clearCache carries a userId', () => {
    assert.deepStrictEqual(decodeMessage('clearCache', '{"userId":"u1"}'), { ok: true, message: { kind: 'clearCache', userId: 'u1' } });
  });

  for (const [name, kind, text, problem] of [
    ['not JSON', 'afterSave', 'hello{', /^not JSON: hello\{/],
    ['a JSON array', 'afterSave', '[1,2]', /^not a JSON object/],
    ['JSON without currentParseObject', 'afterSave', '{"foo":1}', /currentParseObject is not an object/],
    ['an object without className', 'afterDelete', '{"currentParseObject":{"objectId":"x"}}', /currentParseObject has no className/],
    ['an object without objectId', 'afterSave', '{"currentParseObject":{"className":"Message"}}', /currentParseObject has no objectId/],
    ['an original that is not an object', 'afterSave', '{"currentParseObject":{"className":"M","objectId":"x"},"originalParseObject":5}', /originalParseObject is not an object/],
    ['clearCache without userId', 'clearCache', '{"user":"u1"}', /clearCache without a userId/],
    ['a huge foreign text (clipped in the problem)', 'afterSave', 'x'.repeat(10_000), /… \(10000 characters\)$/],
  ] as const) {
    it(`${name} → a problem to log, not an exception`, () => {
      const decoded = decodeMessage(kind, text);
      assert.equal(decoded.ok, false);
      if (!decoded.ok) assert.match(decoded.problem, problem);
    });
  }
});

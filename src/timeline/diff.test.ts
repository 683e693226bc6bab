import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepEqual, diffObjects } from './diff.js';

/** `{"a": [{"a": [… leaf …]}]}`, `depth` levels of objects and arrays. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}


const pointer = (objectId: string) => ({ __type: 'Pointer', className: '_User', objectId });
const date = (iso: string) => ({ __type: 'Date', iso });

describe('diffObjects', () => {
  const original = {
    className: 'Message',
    objectId: 'xK9',
    text: 'hi',
    likes: 1,
    author: pointer('u1'),
    when: date('2025-05-01T10:00:00.000Z'),
    ACL: { '*': { read: true }, u1: { read: true, write: true } },
    tags: ['a', 'b'],
    gone: 'bye',
    updatedAt: '2025-05-01T10:00:00.000Z',
  };
  const object = {
    className: 'Message',
    objectId: 'xK9',
    text: 'hi!',
    likes: 1,
    author: pointer('u2'),
    when: date('2025-05-01T10:00:00.000Z'),
    ACL: { u1: { write: true, read: true }, '*': { read: true } },
    tags: ['b', 'a'],
    added: { nested: [1, { deep: true }] },
    updatedAt: '2025-05-01T10:05:00.000Z',
  };

  it('lists added, changed and removed fields sorted by name, comparing nested values deeply', () => {
    assert.deepEqual(diffObjects(original, object), [
      { field: 'added', change: 'added', after: { nested: [1, { deep: true }] } },
      { field: 'author', change: 'changed', before: pointer('u1'), after: pointer('u2') },
      { field: 'gone', change: 'removed', before: 'bye' },
      { field: 'tags', change: 'changed', before: ['a', 'b'], after: ['b', 'a'] },
      { field: 'text', change: 'changed', before: 'hi', after: 'hi!' },
      { field: 'updatedAt', change: 'changed', before: '2025-05-01T10:00:00.000Z', after: '2025-05-01T10:05:00.000Z' },
    ]);
  });

  it('lets the caller hide fields such as updatedAt', () => {
    const fields = diffObjects(original, object, { ignore: ['updatedAt', 'gone'] }).map((c) => c.field);
    assert.deepEqual(fields, ['added', 'author', 'tags', 'text']);
  });

  it('makes every field added without an original, and removed without an object', () => {
    assert.deepEqual(diffObjects(undefined, { b: 1, a: null }), [
      { field: 'a', change: 'added', after: null },
      { field: 'b', change: 'added', after: 1 },
    ]);
    assert.deepEqual(diffObjects({ a: 1 }, undefined), [{ field: 'a', change: 'removed', before: 1 }]);
    assert.deepEqual(diffObjects(undefined, undefined), []);
  });

  it('treats null as a value and undefined as absent (the SDK unsets with undefined)', () => {
    assert.deepEqual(diffObjects({ a: null, b: 1 }, { a: 0, b: undefined }), [
      { field: 'a', change: 'changed', before: null, after: 0 },
      { field: 'b', change: 'removed', before: 1 },
    ]);
    assert.deepEqual(diffObjects({ a: 1 }, { a: 1 }), []);
  });

  it('sorts by code point, so upper case comes first', () => {
    assert.deepEqual(
      diffObjects({}, { b: 1, B: 1, a: 1, _x: 1 }).map((c) => c.field),
      ['B', '_x', 'a', 'b'],
    );
  });
});

describe('deepEqual', () => {
  it('compares JSON values ignoring key order', () => {
    assert.ok(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
    assert.ok(deepEqual(pointer('u1'), { objectId: 'u1', className: '_User', __type: 'Pointer' }));
    assert.ok(deepEqual(0, -0));
    assert.ok(deepEqual(NaN, NaN));
    assert.ok(deepEqual({ a: 1, b: undefined }, { a: 1 }));
    assert.ok(!deepEqual([1, 2], [2, 1]));
    assert.ok(!deepEqual({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!deepEqual({ a: 1 }, { b: 1 }));
    assert.ok(!deepEqual([], {}));
    assert.ok(!deepEqual(null, {}));
    assert.ok(!deepEqual('1', 1));
    assert.ok(!deepEqual(date('2025-01-01T00:00:00.000Z'), date('2025-01-01T00:00:00Z')));
  });
});

describe('deepEqual and diffObjects on values 50,000 levels deep', () => {
  it('compares them without a stack overflow', () => {
    assert.equal(deepEqual(nested(50_000), nested(50_000)), true);
    assert.equal(deepEqual(nested(50_000, 1), nested(50_000, 2)), false);
    assert.equal(deepEqual(nested(50_000), nested(49_999)), false);
    assert.equal(deepEqual({ b: nested(50_000), a: [1] }, { a: [1], b: nested(50_000) }), true);
  });

  it('diffs objects with such fields', () => {
    const changes = diffObjects({ same: nested(50_000), deep: nested(50_000, 1) }, { same: nested(50_000), deep: nested(50_000, 2) });
    assert.deepEqual(changes.map((c) => [c.field, c.change]), [['deep', 'changed']]);
  });
});

// Cases pinned against parse-server 9.10.0 with the reference server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameValue, watchedFieldChanged } from './watch.js';

const ptr = { __type: 'Pointer', className: 'Game', objectId: 'g1' };
const base = {
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  a: { b: 1 },
  arr: [1, { x: 2 }],
  geo: { __type: 'GeoPoint', latitude: 1, longitude: 2 },
  when: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' },
  p: ptr,
  o: { q: ptr },
  ACL: { '*': { read: true } },
  className: 'Note',
  objectId: 'n1',
};
const saved = { ...base, updatedAt: '2026-01-02T00:00:00.000Z' };

describe('watch', () => {
  it('an unchanged value does not count, whatever its type (dates by time, geo points, ACLs, nested data)', () => {
    for (const field of ['createdAt', 'a', 'arr', 'geo', 'when', 'ACL', 'className', 'missing']) {
      assert.equal(watchedFieldChanged([field], saved, base), false, field);
    }
  });

  it('a pointer, or an object holding one, always counts as changed', () => {
    assert.equal(watchedFieldChanged(['p'], saved, base), true);
    assert.equal(watchedFieldChanged(['o'], saved, base), true);
  });

  it('a changed value counts, and any one of several watched fields is enough', () => {
    assert.equal(watchedFieldChanged(['updatedAt'], saved, base), true);
    assert.equal(watchedFieldChanged(['a'], { ...saved, a: { b: 2 } }, base), true);
    assert.equal(watchedFieldChanged(['a', 'missing'], { ...saved, a: { b: 2 } }, base), true);
  });

  it('on create (no original) only fields present on the new object count; objectId, dotted and inherited names never do', () => {
    assert.equal(watchedFieldChanged(['className'], saved, null), true);
    assert.equal(watchedFieldChanged(['a'], saved, null), true);
    for (const field of ['objectId', 'a.b', 'constructor', 'missing']) assert.equal(watchedFieldChanged([field], saved, null), false, field);
  });
});

describe('sameValue (isDeepStrictEqual without node:util)', () => {
  it('agrees with isDeepStrictEqual on decoded values', async () => {
    const { isDeepStrictEqual } = await import('node:util');
    const values: unknown[] = [
      undefined, null, 0, -0, NaN, 1, '1', true, [], [1], [1, 2], {}, { a: 1 }, { a: 1, b: undefined }, { b: undefined, a: 1 },
      { a: [1, { b: 2 }] }, new Date(5), new Date(6), new Date(NaN), [undefined], {a: undefined},
    ];
    for (const a of values) {
      for (const b of values) {
        assert.equal(sameValue(a, b), isDeepStrictEqual(a, b), `${String(a)} vs ${String(b)}`);
        assert.equal(sameValue(structuredClone(a), b), isDeepStrictEqual(structuredClone(a), b));
      }
    }
  });
});

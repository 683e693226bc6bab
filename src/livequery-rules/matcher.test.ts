import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { equalObjects, matchesQuery } from './matcher.js';

const date = (iso: string) => ({ __type: 'Date', iso });
const ptr = (className: string, objectId: string) => ({ __type: 'Pointer', className, objectId });
const geo = (latitude: number, longitude: number) => ({ __type: 'GeoPoint', latitude, longitude });

/** Matches a fresh copy, as Parse Server does (the matcher decodes dates in place). */
const matches = (object: Record<string, unknown>, where: unknown) => matchesQuery(structuredClone(object), where);

describe('matcher: equality', () => {
  const row = { name: 'ann', score: 10, tags: ['a', 'b'], ok: true, owner: ptr('_User', 'u1') };

  it('matches scalars by strict equality', () => {
    assert.equal(matches(row, { name: 'ann' }), true);
    assert.equal(matches(row, { name: 'bob' }), false);
    assert.equal(matches(row, { score: '10' }), false);
    assert.equal(matches(row, { ok: true, score: 10 }), true);
  });

  it('an empty where matches everything', () => {
    assert.equal(matches(row, {}), true);
  });

  it('a scalar matches an array that contains it', () => {
    assert.equal(matches(row, { tags: 'b' }), true);
    assert.equal(matches(row, { tags: 'c' }), false);
  });

  it('an array constraint never matches by plain equality (only through $eq)', () => {
    assert.equal(matches(row, { tags: ['a', 'b'] }), false);
    assert.equal(matches(row, { tags: { $eq: ['a', 'b'] } }), true);
    assert.equal(matches(row, { tags: { $eq: ['b', 'a'] } }), false);
  });

  it('pointers compare by className and objectId', () => {
    assert.equal(matches(row, { owner: ptr('_User', 'u1') }), true);
    assert.equal(matches(row, { owner: ptr('_User', 'u2') }), false);
    assert.equal(matches(row, { owner: ptr('Other', 'u1') }), false);
    assert.equal(matches({ owners: [ptr('_User', 'x'), ptr('_User', 'u1')] }, { owners: ptr('_User', 'u1') }), true);
  });

  it('a pointer constraint on a null field throws (Parse Server then skips the subscription)', () => {
    assert.throws(() => matches({ owner: null }, { owner: ptr('_User', 'u1') }), TypeError);
    assert.equal(matches({}, { owner: ptr('_User', 'u1') }), false);
  });

  it('{field: null} never matches', () => {
    assert.equal(matches({ a: null }, { a: null }), false);
    assert.equal(matches({}, { a: null }), false);
  });

  it('dates stored as {__type: Date} compare by time with a Date constraint', () => {
    const when = { when: date('2020-01-02T00:00:00.000Z') };
    assert.equal(matches(when, { when: date('2020-01-02T00:00:00.000Z') }), true);
    assert.equal(matches(when, { when: date('2020-01-03T00:00:00.000Z') }), false);
    assert.equal(matches(when, { when: { $gt: date('2020-01-01T00:00:00.000Z') } }), true);
    assert.equal(matches(when, { when: { $lt: date('2020-01-01T00:00:00.000Z') } }), false);
  });

  it('createdAt is an ISO string, so a Date comparison never rejects it (as on Parse Server)', () => {
    const created = { createdAt: '2026-01-01T00:00:00.000Z' };
    assert.equal(matches(created, { createdAt: { $gt: date('2099-01-01T00:00:00.000Z') } }), true);
    assert.equal(matches(created, { createdAt: { $lt: date('2000-01-01T00:00:00.000Z') } }), true);
  });

  it('Bytes compare by value; GeoPoint, File and Pointer objects only through their own rules', () => {
    assert.equal(matches({ b: { __type: 'Bytes', base64: 'AA==' } }, { b: { __type: 'Bytes', base64: 'AA==' } }), true);
    assert.equal(matches({ g: geo(1, 2) }, { g: geo(1, 2) }), false);
    assert.equal(matches({ p: ptr('A', 'x') }, { p: { $eq: ptr('A', 'x') } }), false);
  });
});

describe('matcher: comparison operators', () => {
  const row = { n: 5, s: 'm' };

  it('$lt $lte $gt $gte', () => {
    assert.equal(matches(row, { n: { $lt: 6 } }), true);
    assert.equal(matches(row, { n: { $lt: 5 } }), false);
    assert.equal(matches(row, { n: { $lte: 5 } }), true);
    assert.equal(matches(row, { n: { $gt: 4, $lt: 6 } }), true);
    assert.equal(matches(row, { n: { $gte: 6 } }), false);
    assert.equal(matches(row, { s: { $gt: 'a' } }), true);
  });

  it('comparisons on a missing field never reject (undefined compares false both ways)', () => {
    assert.equal(matches({}, { n: { $gt: 1 } }), true);
    assert.equal(matches({}, { n: { $lt: 1 } }), true);
    assert.equal(matches({}, { n: { $lte: 1 } }), true);
  });

  it('$eq and $ne use deep equality', () => {
    assert.equal(matches({ o: { a: 1, b: [2] } }, { o: { $eq: { b: [2], a: 1 } } }), true);
    assert.equal(matches({ o: { a: 1 } }, { o: { $ne: { a: 1 } } }), false);
    assert.equal(matches({}, { o: { $ne: 1 } }), true);
  });

  it('$in and $nin, including pointers by id and arrays on the row side', () => {
    assert.equal(matches(row, { n: { $in: [1, 5] } }), true);
    assert.equal(matches(row, { n: { $nin: [1, 5] } }), false);
    assert.equal(matches({ p: ptr('A', 'x') }, { p: { $in: [ptr('A', 'x')] } }), true);
    assert.equal(matches({ p: ptr('A', 'x') }, { p: { $in: ['x'] } }), true);
    assert.equal(matches({ tags: ['a', 'z'] }, { tags: { $in: ['z'] } }), true);
  });

  it('$all needs every value', () => {
    assert.equal(matches({ tags: ['a', 'b', 'c'] }, { tags: { $all: ['a', 'c'] } }), true);
    assert.equal(matches({ tags: ['a'] }, { tags: { $all: ['a', 'c'] } }), false);
    assert.equal(matches({}, { tags: { $all: ['a'] } }), false);
  });

  it('$exists', () => {
    assert.equal(matches(row, { n: { $exists: true } }), true);
    assert.equal(matches(row, { x: { $exists: true } }), false);
    assert.equal(matches(row, { x: { $exists: false } }), true);
    assert.equal(matches(row, { x: { $exists: 'yes' } }), true); // non-boolean is ignored
  });

  it('$regex with $options, \\Q…\\E quoting, and string coercion of non-strings', () => {
    assert.equal(matches({ s: 'Hello' }, { s: { $regex: '^hel', $options: 'i' } }), true);
    assert.equal(matches({ s: 'Hello' }, { s: { $regex: '^hel' } }), false);
    assert.equal(matches({ s: 'a.b' }, { s: { $regex: '^\\Qa.b\\E$' } }), true);
    assert.equal(matches({ s: 'axb' }, { s: { $regex: '^\\Qa.b\\E$' } }), false);
    assert.equal(matches({ n: 123 }, { n: { $regex: '^12' } }), true);
    assert.equal(matches({ s: 'x' }, { s: { $regex: '(' } }), false); // invalid pattern: no match
    assert.equal(matches({ s: 'ABC' }, { s: { $regex: { source: 'b', flags: 'i' } } }), true);
  });

  it('unknown operators, $select, $dontSelect, $inQuery and $relatedTo never match', () => {
    assert.equal(matches(row, { n: { $foo: 1 } }), false);
    assert.equal(matches(row, { n: { $inQuery: {} } }), false);
    assert.equal(matches(row, { n: { $select: {} } }), false);
    assert.equal(matches(row, { $relatedTo: {} }), false);
  });
});

describe('matcher: logic and paths', () => {
  const row = { a: 1, b: 2, nested: { deep: { v: 'x' }, n: 3 } };

  it('$or, $and, $nor', () => {
    assert.equal(matches(row, { $or: [{ a: 9 }, { b: 2 }] }), true);
    assert.equal(matches(row, { $or: [{ a: 9 }, { b: 9 }] }), false);
    assert.equal(matches(row, { $and: [{ a: 1 }, { b: 2 }] }), true);
    assert.equal(matches(row, { $and: [{ a: 1 }, { b: 9 }] }), false);
    assert.equal(matches(row, { $nor: [{ a: 9 }, { b: 9 }] }), true);
    assert.equal(matches(row, { $nor: [{ a: 1 }] }), false);
  });

  it('a non-array $or/$and/$nor never matches', () => {
    assert.equal(matches(row, { $or: { a: 1 } }), false);
    assert.equal(matches(row, { $and: 5 }), false);
  });

  it('dotted keys reach into sub-objects; a missing parent is an empty object', () => {
    assert.equal(matches(row, { 'nested.deep.v': 'x' }), true);
    assert.equal(matches(row, { 'nested.n': { $gte: 3 } }), true);
    assert.equal(matches(row, { 'missing.v': { $exists: false } }), true);
    assert.equal(matches(row, { 'missing.v': 'x' }), false);
  });
});

describe('matcher: geo operators', () => {
  const here = { loc: geo(40, -74) };

  it('$nearSphere with $maxDistance (radians)', () => {
    assert.equal(matches(here, { loc: { $nearSphere: geo(40, -74.1), $maxDistance: 0.01 } }), true);
    assert.equal(matches(here, { loc: { $nearSphere: geo(10, 10), $maxDistance: 0.01 } }), false);
  });

  it('$within $box', () => {
    assert.equal(matches(here, { loc: { $within: { $box: [geo(39, -75), geo(41, -73)] } } }), true);
    assert.equal(matches(here, { loc: { $within: { $box: [geo(41, -75), geo(42, -73)] } } }), false);
  });

  it('$geoWithin $polygon and $centerSphere', () => {
    const square = [geo(39, -75), geo(41, -75), geo(41, -73), geo(39, -73)];
    assert.equal(matches(here, { loc: { $geoWithin: { $polygon: square } } }), true);
    assert.equal(matches({ loc: geo(0, 0) }, { loc: { $geoWithin: { $polygon: square } } }), false);
    assert.equal(matches(here, { loc: { $geoWithin: { $centerSphere: [[-74, 40], 0.01] } } }), true);
    assert.equal(matches(here, { loc: { $geoWithin: { $centerSphere: [[0, 0], 0.01] } } }), false);
  });

  it('$geoIntersects a polygon field with a point', () => {
    const area = { area: { __type: 'Polygon', coordinates: [[0, 0], [0, 2], [2, 2], [2, 0]] } };
    assert.equal(matches(area, { area: { $geoIntersects: { $point: geo(1, 1) } } }), true);
    assert.equal(matches(area, { area: { $geoIntersects: { $point: geo(3, 3) } } }), false);
  });
});

describe('equalObjects', () => {
  it('compares primitives, dates, arrays and objects deeply', () => {
    assert.equal(equalObjects(1, 1), true);
    assert.equal(equalObjects(1, '1'), false);
    assert.equal(equalObjects(new Date(5), new Date(5)), true);
    assert.equal(equalObjects([1, [2]], [1, [2]]), true);
    assert.equal(equalObjects({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(equalObjects({ a: { b: 1 } }, { a: { b: 1 } }), true);
  });
});

describe("matcher: agrees with Parse Server 9.10's own QueryTools on a corpus", () => {
  it('same result (or the same throw) for every object × where pair', () => {
    process.env.PARSE_SERVER_LOGS_FOLDER ??= 'null';
    const reference = createRequire(import.meta.url)('parse-server/lib/LiveQuery/QueryTools.js') as {
      matchesQuery(object: unknown, where: unknown): boolean;
    };
    const objects: Record<string, unknown>[] = [
      {}, { a: 1 }, { a: '1' }, { a: null }, { a: [1, 2] }, { a: 'abc' }, { a: true }, { a: { b: 1 } }, { a: { b: { c: 'x' } } },
      { a: ptr('X', 'y') }, { a: [ptr('X', 'y'), ptr('X', 'z')] }, { a: date('2020-01-01T00:00:00.000Z') }, { a: geo(1, 2) },
      { a: 5, b: 'x' }, { a: ['x', 'y'] }, { createdAt: '2026-01-01T00:00:00.000Z' }, { a: 0 }, { a: '' }, { a: [] },
      { a: { __type: 'Polygon', coordinates: [[0, 0], [0, 2], [2, 2], [2, 0]] } }, { a: 123 },
    ];
    const wheres: unknown[] = [
      {}, { a: 1 }, { a: '1' }, { a: null }, { a: [1, 2] }, { a: { $eq: [1, 2] } }, { a: { $ne: 1 } }, { a: { $lt: 2 } }, { a: { $lte: 1 } },
      { a: { $gt: 0 } }, { a: { $gte: '1' } }, { a: { $in: [1, 'x'] } }, { a: { $nin: [1] } }, { a: { $in: 'abcd' } }, { a: { $all: [1] } },
      { a: { $all: ['x', 'y'] } }, { a: { $all: 'ab' } }, { a: { $exists: true } }, { a: { $exists: false } }, { a: { $exists: 1 } },
      { a: { $regex: '^a' } }, { a: { $regex: 'B', $options: 'i' } }, { a: { $regex: '^1' } }, { a: { $regex: '\\Qa\\E' } }, { a: { $regex: { source: 'b', flags: '' } } },
      { a: ptr('X', 'y') }, { a: { $in: [ptr('X', 'y')] } }, { a: { $in: ['y'] } }, { a: { $eq: ptr('X', 'y') } }, { a: date('2020-01-01T00:00:00.000Z') },
      { a: { $gt: date('2019-01-01T00:00:00.000Z') } }, { createdAt: { $gt: date('2099-01-01T00:00:00.000Z') } }, { 'a.b': 1 }, { 'a.b.c': 'x' }, { 'a.length': 3 },
      { $or: [{ a: 1 }, { a: 'abc' }] }, { $and: [{ a: { $exists: true } }, { a: 1 }] }, { $nor: [{ a: 1 }] }, { $or: 5 }, { $or: [5] }, { a: { $foo: 1 } },
      { a: { $nearSphere: geo(1, 2.1), $maxDistance: 0.1 } }, { a: { $within: { $box: [geo(0, 0), geo(3, 3)] } } }, { a: { $geoWithin: { $centerSphere: [[2, 1], 0.1] } } },
      { a: { $geoWithin: { $polygon: [geo(0, 0), geo(0, 3), geo(3, 3), geo(3, 0)] } } }, { a: { $geoIntersects: { $point: geo(1, 1) } } }, { a: { $containedBy: [1, 2, 3] } },
      { a: { $select: {} } }, { $relatedTo: {} }, { a: { __type: 'Bytes', base64: 'x' } }, { a: { $eq: { b: 1 } } }, { a: { b: 1 } }, { constructor: { $exists: true } },
      { a: { $lt: 'b' } }, { a: { $ne: null } }, { a: { $eq: null } }, { a: { $in: [] } }, { a: { $in: [[1, 2]] } }, { a: { $gt: '' } },
    ];
    const outcome = (fn: () => boolean): string => {
      try {
        return String(fn());
      } catch {
        return 'throws';
      }
    };
    const differences: string[] = [];
    for (const object of objects) {
      for (const where of wheres) {
        const expected = outcome(() => reference.matchesQuery(structuredClone(object), structuredClone(where)));
        const actual = outcome(() => matchesQuery(structuredClone(object), structuredClone(where)));
        if (expected !== actual) differences.push(`${JSON.stringify(object)} ${JSON.stringify(where)}: ${actual}, Parse Server ${expected}`);
      }
    }
    assert.deepEqual(differences, []);
  });
});

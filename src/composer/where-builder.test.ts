import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  ARRAY_OPERATORS,
  formatValue,
  OPERATORS,
  parseValue,
  treeToWhere,
  whereToTree,
  type Group,
  type Operator,
} from './where-builder.js';
import { FIELD_OPERATORS, validateWhere } from './where-check.js';

const require = createRequire(import.meta.url);
const queryToolsPath = require.resolve('parse-server/lib/LiveQuery/QueryTools.js');
const QueryTools = require(queryToolsPath) as { matchesQuery(object: object, where: object): boolean };
const matches = (object: object, where: object): boolean => QueryTools.matchesQuery(structuredClone(object), where);

const pointer = (className: string, objectId: string) => ({ __type: 'Pointer', className, objectId });
const date = (iso: string) => ({ __type: 'Date', iso });
const geo = (latitude: number, longitude: number) => ({ __type: 'GeoPoint', latitude, longitude });

function tree(where: unknown): Group {
  const result = whereToTree(where);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.tree;
}

/** Every where the builder supports, each of which must survive JSON → tree → JSON unchanged. */
const ROUND_TRIP: Record<string, unknown>[] = [
  {},
  { room: 'lobby' },
  { score: 10, active: true, note: null, ratio: -0.5 },
  { score: { $gt: 1, $lt: 5 } },
  { score: { $gte: 1, $lte: 5, $ne: 3 } },
  { score: { $eq: 7 } },
  { tags: { $in: ['a', 'b', 3] } },
  { tags: { $nin: [] } },
  { tags: { $all: ['x', 'y'] } },
  { tags: { $containedBy: ['x', 'y', 'z'] } },
  { text: { $exists: true }, deletedAt: { $exists: false } },
  { name: { $regex: '^a.*z$' } },
  { name: { $regex: 'abc', $options: 'im' } },
  { name: { $options: 'i', $regex: 'abc' } },
  { name: { $regex: 'x', $options: '' } },
  { author: pointer('_User', 'u1') },
  { author: { $in: [pointer('_User', 'u1'), pointer('_User', 'u2')] } },
  { author: { $ne: pointer('_User', 'u1') } },
  { createdAt: { $gt: date('2025-01-01T00:00:00.000Z'), $lt: date('2025-02-01T00:00:00.000Z') } },
  { when: date('2025-01-01T00:00:00.000Z') },
  { 'address.city': 'Paris', 'stats.level': { $gte: 3 } },
  { location: { $nearSphere: geo(40, -30) } },
  { location: { $nearSphere: geo(40, -30), $maxDistance: 0.1 } },
  { location: { $within: { $box: [geo(0, 0), geo(1, 1)] } } },
  { location: { $geoWithin: { $polygon: [geo(0, 0), geo(0, 1), geo(1, 1)] } } },
  { location: { $geoWithin: { $centerSphere: [[2.3, 48.8], 0.01] } } },
  { area: { $geoIntersects: { $point: geo(1, 2) } } },
  { $or: [{ a: 1 }, { b: 2 }] },
  { $or: [{ a: 1, b: 2 }, { c: { $gt: 3, $lt: 9 } }] },
  { $or: [{ $and: [{ a: 1 }, { b: 2 }] }] },
  { $or: [{ a: 1 }], $and: [{ b: 2 }], $nor: [{ c: 3 }] },
  { $or: [] },
  { $and: [{}] },
  { room: 'lobby', $and: [{ $or: [{ a: 1 }, { b: { $in: [1, 2] } }] }, { $nor: [{ c: 3, d: { $exists: true } }] }] },
  { $and: [{ $or: [{ $and: [{ $or: [{ deep: 1 }, { deeper: { $regex: 'x', $options: 'i' } }] }] }] }] },
  { $nor: [{ score: { $gt: 1, $lt: 5 } }, { $or: [{ x: 1 }, { y: 2, z: 3 }] }] },
  { tags: ['a', 'b'], meta: { __type: 'Bytes', base64: 'AA==' } },
  { '': 1 },
  { score: { $in: 5 } },
];

describe('whereToTree / treeToWhere', () => {
  for (const where of ROUND_TRIP) {
    it(`round-trips ${JSON.stringify(where)}`, () => {
      assert.deepEqual(treeToWhere(tree(where)), where);
      // And the tree itself is stable through JSON.
      assert.deepEqual(tree(JSON.parse(JSON.stringify(treeToWhere(tree(where))))), tree(where));
    });
  }

  it('reads conditions, merged operators and dotted keys as rows', () => {
    assert.deepEqual(tree({ room: 'lobby', score: { $gt: 1, $lt: 5 }, 'a.b': { $exists: true } }), {
      type: 'and',
      children: [
        { field: 'room', operator: 'equals', value: 'lobby' },
        { field: 'score', operator: '$gt', value: 1 },
        { field: 'score', operator: '$lt', value: 5 },
        { field: 'a.b', operator: '$exists', value: true },
      ],
    });
  });

  it('attaches $options to $regex and $maxDistance to $nearSphere', () => {
    assert.deepEqual(tree({ name: { $options: 'i', $regex: 'x' }, at: { $nearSphere: geo(1, 2), $maxDistance: 0.5 } }).children, [
      { field: 'name', operator: '$regex', value: 'x', options: 'i' },
      { field: 'at', operator: '$nearSphere', value: geo(1, 2), maxDistance: 0.5 },
    ]);
  });

  it('keeps pointers and dates as equality values', () => {
    assert.deepEqual(tree({ author: pointer('_User', 'u1'), at: date('2025-01-01T00:00:00.000Z') }).children, [
      { field: 'author', operator: 'equals', value: pointer('_User', 'u1') },
      { field: 'at', operator: 'equals', value: date('2025-01-01T00:00:00.000Z') },
    ]);
  });

  it('tells an object of several keys in a group (implicit AND) from an explicit $and', () => {
    assert.deepEqual(tree({ $or: [{ a: 1, b: 2 }, { c: 3 }] }).children, [
      {
        type: 'or',
        children: [
          {
            type: 'and',
            implicit: true,
            children: [
              { field: 'a', operator: 'equals', value: 1 },
              { field: 'b', operator: 'equals', value: 2 },
            ],
          },
          { field: 'c', operator: 'equals', value: 3 },
        ],
      },
    ]);
    assert.deepEqual(tree({ $or: [{ $and: [{ a: 1 }, { b: 2 }] }] }).children, [
      {
        type: 'or',
        children: [
          {
            type: 'and',
            children: [
              { field: 'a', operator: 'equals', value: 1 },
              { field: 'b', operator: 'equals', value: 2 },
            ],
          },
        ],
      },
    ]);
  });

  it('nests $or inside $and inside $or', () => {
    const where = { $or: [{ $and: [{ $or: [{ a: 1 }, { b: 2 }] }, { c: 3 }] }, { d: 4 }] };
    const root = tree(where);
    const or = root.children[0] as Group;
    const and = or.children[0] as Group;
    assert.equal(or.type, 'or');
    assert.equal(and.type, 'and');
    assert.equal(and.implicit, undefined);
    assert.equal((and.children[0] as Group).type, 'or');
    assert.deepEqual(treeToWhere(root), where);
  });

  it('refuses what the builder cannot represent, with the exact reason', () => {
    const cases: [unknown, string][] = [
      [null, 'where must be a JSON object'],
      [[{ a: 1 }], 'where must be a JSON object'],
      ['a', 'where must be a JSON object'],
      [{ score: { $foo: 1 } }, 'score: unknown operator $foo'],
      [{ score: { $gt: 1, $foo: 1 } }, 'score: unknown operator $foo'],
      [{ a: { b: 1 } }, 'a: unknown operator b (to match a sub-field, use the dotted key a.b)'],
      [{ a: {} }, 'a: empty condition {}'],
      [{ $foo: 1 }, 'unknown operator $foo'],
      [{ $relatedTo: { key: 'x' } }, '$relatedTo is not supported by LiveQuery (it never matches)'],
      [{ a: { $inQuery: { where: {}, className: 'B' } } }, 'a: $inQuery is not supported by LiveQuery (it never matches)'],
      [{ a: { $select: {} } }, 'a: $select is not supported by LiveQuery (it never matches)'],
      [
        { at: { $nearSphere: geo(1, 2), $maxDistanceInMiles: 3 } },
        'at: $maxDistanceInMiles is not supported by LiveQuery (use $maxDistance, in radians)',
      ],
      [{ name: { $options: 'i' } }, 'name: $options needs $regex'],
      [{ name: { $regex: 'a', $options: 1 } }, 'name: $options needs a string'],
      [{ at: { $maxDistance: 1 } }, 'at: $maxDistance needs $nearSphere'],
      [{ at: { $nearSphere: geo(1, 2), $maxDistance: '1' } }, 'at: $maxDistance needs a number'],
      [{ $or: { a: 1 } }, '$or needs an array of objects'],
      [{ $or: [1] }, '$or needs an array of objects'],
      [{ $and: [{ $nor: 'x' }] }, '$and[0].$nor needs an array of objects'],
      [{ $or: [{ a: 1 }, { b: { $bad: 1 } }] }, '$or[1].b: unknown operator $bad'],
      [{ $or: [{ $where: 'x' }] }, '$or[0]: unknown operator $where'],
    ];
    for (const [where, error] of cases) {
      assert.deepEqual(whereToTree(where), { ok: false, error }, JSON.stringify(where));
    }
  });

  it('writes the root AND implicitly and merges several conditions on one field', () => {
    const root: Group = {
      type: 'and',
      children: [
        { field: 'score', operator: '$gt', value: 1 },
        { field: 'room', operator: 'equals', value: 'lobby' },
        { field: 'score', operator: '$lt', value: 5 },
        { field: 'name', operator: '$regex', value: 'a', options: 'i' },
      ],
    };
    assert.deepEqual(treeToWhere(root), { score: { $gt: 1, $lt: 5 }, room: 'lobby', name: { $regex: 'a', $options: 'i' } });
  });

  it('writes a root OR or NOR as the group itself', () => {
    assert.deepEqual(
      treeToWhere({ type: 'or', children: [{ field: 'a', operator: 'equals', value: 1 }, { field: 'b', operator: 'equals', value: 2 }] }),
      { $or: [{ a: 1 }, { b: 2 }] },
    );
    assert.deepEqual(treeToWhere({ type: 'nor', children: [] }), { $nor: [] });
  });

  it('moves conditions that cannot share an object into $and, keeping the meaning', () => {
    const root: Group = {
      type: 'and',
      children: [
        { field: 'a', operator: 'equals', value: 1 },
        { field: 'a', operator: '$gt', value: 0 },
        { field: 'b', operator: '$gt', value: 1 },
        { field: 'b', operator: '$gt', value: 2 },
        { type: 'or', children: [{ field: 'c', operator: 'equals', value: 1 }] },
        { type: 'or', children: [{ field: 'd', operator: 'equals', value: 1 }] },
        { type: 'and', children: [{ field: 'e', operator: 'equals', value: 1 }] },
      ],
    };
    const where = treeToWhere(root);
    assert.deepEqual(where, {
      a: 1,
      b: { $gt: 1 },
      $or: [{ c: 1 }],
      $and: [{ e: 1 }, { a: { $gt: 0 } }, { b: { $gt: 2 } }, { $or: [{ d: 1 }] }],
    });
    assert.equal(validateWhere(where), null);
    assert.ok(matches({ a: 1, b: 3, c: 1, d: 1, e: 1 }, where));
    assert.ok(!matches({ a: 1, b: 2, c: 1, d: 1, e: 1 }, where));
    assert.ok(!matches({ a: 1, b: 3, c: 1, d: 2, e: 1 }, where));
  });

  it('flattens an implicit AND placed in an object context, and writes an empty one as {}', () => {
    const root: Group = {
      type: 'and',
      children: [
        { type: 'and', implicit: true, children: [{ field: 'a', operator: 'equals', value: 1 }] },
        { type: 'or', children: [{ type: 'and', implicit: true, children: [] }] },
      ],
    };
    assert.deepEqual(treeToWhere(root), { a: 1, $or: [{}] });
  });

  it('never changes a prototype through a __proto__ key', () => {
    const where = JSON.parse('{"__proto__": {"$in": [1]}, "$or": [{"__proto__": 2}]}') as Record<string, unknown>;
    const out = treeToWhere(tree(where));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__', '$or']);
    assert.equal(JSON.stringify(out), JSON.stringify(where));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('validateWhere', () => {
  it('accepts every round-trip case that LiveQuery can match', () => {
    const invalid = new Set([
      JSON.stringify({ score: 10, active: true, note: null, ratio: -0.5 }),
      JSON.stringify({ $or: [] }),
      JSON.stringify({ tags: ['a', 'b'], meta: { __type: 'Bytes', base64: 'AA==' } }),
      JSON.stringify({ '': 1 }),
      JSON.stringify({ score: { $in: 5 } }),
    ]);
    for (const where of ROUND_TRIP) {
      if (!invalid.has(JSON.stringify(where))) assert.equal(validateWhere(where), null, JSON.stringify(where));
    }
  });

  it('gives the exact reason for each problem', () => {
    const cases: [unknown, string][] = [
      [undefined, 'where must be a JSON object'],
      [{ tags: { $in: 'a' } }, 'tags: $in needs an array'],
      [{ tags: { $nin: {} } }, 'tags: $nin needs an array'],
      [{ tags: { $all: 1 } }, 'tags: $all needs an array'],
      [{ tags: { $containedBy: null } }, 'tags: $containedBy needs an array'],
      [{ name: { $regex: 5 } }, 'name: $regex needs a string'],
      [{ name: { $regex: '(' } }, 'name: Invalid regular expression: /(/: Unterminated group'],
      [{ name: { $regex: 'a', $options: 'x' } }, "name: Invalid flags supplied to RegExp constructor 'x'"],
      [{ name: { $regex: { source: '(', flags: '' } } }, 'name: Invalid regular expression: /(/: Unterminated group'],
      [{ name: { $options: 'i' } }, 'name: $options needs $regex'],
      [{ name: { $regex: 'a', $options: 2 } }, 'name: $options needs a string'],
      [{ $or: { a: 1 } }, '$or needs an array of objects'],
      [{ $or: [{ a: 1 }, 'b'] }, '$or needs an array of objects'],
      [{ $or: [] }, '$or is empty: an empty $or never matches'],
      [{ $and: [{ $or: [{ a: { $exists: 'yes' } }] }] }, '$and[0].$or[0].a: $exists needs true or false'],
      [{ a: { $exists: 1 } }, 'a: $exists needs true or false'],
      [{ a: { $foo: 1 } }, 'a: unknown operator $foo'],
      [{ $foo: 1 }, 'unknown operator $foo'],
      [{ a: { b: 1 } }, 'a: unknown operator b (to match a sub-field, use the dotted key a.b)'],
      [{ a: {} }, 'a: empty condition {}'],
      [{ a: null }, 'a: null never matches in LiveQuery (use {"$exists": false} for a missing field)'],
      [{ a: [1] }, 'a: LiveQuery cannot compare with an array (use $all or $in)'],
      [{ '': 1 }, 'a field name cannot be empty'],
      [{ a: { $gt: true } }, 'a: $gt needs a number, string or date'],
      [{ a: { $lte: null } }, 'a: $lte needs a number, string or date'],
      [{ a: { $lt: date('nope') } }, 'a: a Date needs an ISO 8601 "iso" string'],
      [{ a: { __type: 'Pointer', className: '_User' } }, 'a: a Pointer needs a string className and objectId'],
      [{ a: { __type: 'Nope' } }, 'a: unknown __type "Nope"'],
      [{ a: { $in: [pointer('_User', 'u1'), { __type: 'Pointer' }] } }, 'a.$in[1]: a Pointer needs a string className and objectId'],
      [{ a: { $eq: { __type: 'GeoPoint', latitude: 100, longitude: 0 } } }, 'a: a GeoPoint needs a latitude (-90 to 90) and a longitude (-180 to 180)'],
      [{ at: { $nearSphere: [1, 2] } }, 'at: $nearSphere needs a GeoPoint {"__type": "GeoPoint", "latitude": …, "longitude": …}'],
      [{ at: { $nearSphere: geo(1, 2), $maxDistance: -1 } }, 'at: $maxDistance needs a number of radians'],
      [{ at: { $maxDistance: 1 } }, 'at: $maxDistance needs $nearSphere'],
      [{ at: { $within: { $box: [geo(0, 0)] } } }, 'at: $within needs {"$box": [southwest GeoPoint, northeast GeoPoint]}'],
      [
        { at: { $geoWithin: { $polygon: [[0, 0], [1, 1], [0, 1]] } } },
        'at: $geoWithin needs {"$polygon": [GeoPoint, …]} or {"$centerSphere": [[longitude, latitude], radians]}',
      ],
      [{ at: { $geoIntersects: geo(1, 2) } }, 'at: $geoIntersects needs {"$point": GeoPoint}'],
      [{ a: { $relatedTo: {} } }, 'a: $relatedTo is not supported by LiveQuery (it never matches)'],
      [{ $relatedTo: {} }, '$relatedTo is not supported by LiveQuery (it never matches)'],
      [{ a: { $dontSelect: {} } }, 'a: $dontSelect is not supported by LiveQuery (it never matches)'],
      [{ a: { $text: {} } }, 'a: $text is not supported by LiveQuery (it never matches)'],
    ];
    for (const [where, reason] of cases) assert.equal(validateWhere(where), reason, JSON.stringify(where));
  });

  it('agrees with the LiveQuery matcher that null, arrays, sub-objects and unsupported operators never match', () => {
    const object = { className: 'A', a: null, b: [1, 2], c: { d: 1 }, e: 'x' };
    for (const where of [{ a: null }, { b: [1, 2] }, { c: { d: 1 } }, { e: { $inQuery: {} } }, { e: { $foo: 1 } }]) {
      assert.ok(validateWhere(where) !== null);
      assert.equal(matches(object, where), false, JSON.stringify(where));
    }
    assert.equal(matches(object, { 'c.d': 1 }), true);
    assert.equal(matches(object, { $or: [] }), false);
  });

  it('lists exactly the operators the installed LiveQuery matcher implements', () => {
    const source = readFileSync(queryToolsPath, 'utf8').split('//# sourceMappingURL')[0]!;
    const cases = new Set([...source.matchAll(/case '(\$\w+)':/g)].map((m) => m[1]!));
    const notOperators = new Set(['$options', '$maxDistance', '$select', '$dontSelect']);
    assert.deepEqual([...cases].filter((c) => !notOperators.has(c)).sort(), [...FIELD_OPERATORS].sort());
  });
});

describe('parseValue / formatValue', () => {
  it('reads JSON when it parses, else the text', () => {
    assert.equal(parseValue('10', 'equals'), 10);
    assert.equal(parseValue('-1.5e3', '$gt'), -1500);
    assert.equal(parseValue('true', '$exists'), true);
    assert.equal(parseValue('false', 'equals'), false);
    assert.equal(parseValue('null', '$ne'), null);
    assert.equal(parseValue('"10"', 'equals'), '10');
    assert.equal(parseValue('lobby', 'equals'), 'lobby');
    assert.equal(parseValue('  spaced out ', 'equals'), '  spaced out ');
    assert.equal(parseValue('', 'equals'), '');
    assert.deepEqual(parseValue('[1, "a"]', '$eq'), [1, 'a']);
    assert.deepEqual(parseValue('{"__type":"Pointer","className":"_User","objectId":"u1"}', 'equals'), pointer('_User', 'u1'));
    assert.deepEqual(parseValue('{"__type":"Date","iso":"2025-01-01T00:00:00.000Z"}', '$lt'), date('2025-01-01T00:00:00.000Z'));
  });

  it('takes a $regex pattern as typed', () => {
    assert.equal(parseValue('^\\d+$', '$regex'), '^\\d+$');
    assert.equal(parseValue('123', '$regex'), '123');
    assert.equal(parseValue('"quoted"', '$regex'), '"quoted"');
  });

  it('always gives an array for list operators, also from comma-separated text', () => {
    assert.deepEqual(parseValue('["a", 1]', '$in'), ['a', 1]);
    assert.deepEqual(parseValue('a, b, 3', '$in'), ['a', 'b', 3]);
    assert.deepEqual(parseValue('1, 2, "x,y"', '$nin'), [1, 2, 'x,y']);
    assert.deepEqual(parseValue('red', '$all'), ['red']);
    assert.deepEqual(parseValue('5', '$containedBy'), [5]);
    assert.deepEqual(parseValue('', '$in'), []);
    assert.deepEqual(parseValue('true, null, x y', '$in'), [true, null, 'x y']);
  });

  it('formats so that the text reads back as the same value', () => {
    const values: unknown[] = [
      0, -1.5, 1e21, true, false, null, 'lobby', '', ' padded ', '12', 'true', 'null', '"q"', '[1]', '{"a":1}', 'a,b',
      [], [1, 'a', null], { a: 1 }, pointer('_User', 'u1'), date('2025-01-01T00:00:00.000Z'),
    ];
    for (const operator of OPERATORS) {
      for (const value of values) {
        if (ARRAY_OPERATORS.has(operator) && !Array.isArray(value)) continue;
        if (operator === '$regex' && typeof value !== 'string') continue;
        assert.deepEqual(parseValue(formatValue(value, operator), operator), value, `${operator} ${JSON.stringify(value)}`);
      }
    }
    assert.equal(formatValue('lobby'), 'lobby');
    assert.equal(formatValue('12'), '"12"');
    assert.equal(formatValue(12), '12');
    assert.equal(formatValue(['a', 2], '$in'), '["a",2]');
    assert.equal(formatValue('^a', '$regex'), '^a');
    assert.equal(formatValue(undefined), '');
  });

  it('declares every operator once', () => {
    assert.equal(new Set<Operator>(OPERATORS).size, OPERATORS.length);
    assert.equal(OPERATORS[0], 'equals');
  });
});

describe('a where 50,000 levels deep (from a page)', () => {
  /** `{"$or": [{"$or": [… {"a": 1} …]}]}`. */
  function deepOr(depth: number): Record<string, unknown> {
    let where: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < depth; i++) where = { $or: [where] };
    return where;
  }

  it('is refused with the reason instead of overflowing the stack', () => {
    assert.deepEqual(whereToTree(deepOr(50_000)), { ok: false, error: 'where nests deeper than 100 levels' });
    assert.equal(validateWhere(deepOr(50_000)), 'where nests deeper than 100 levels');
    assert.equal(validateWhere(deepOr(40)), null);
  });
});

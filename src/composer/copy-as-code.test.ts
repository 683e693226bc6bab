import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Parse from 'parse/node';
import type { QueryJSON } from '../livequery/protocol.js';
import { jsString, literal, toParseSdkCode } from './copy-as-code.js';

const pointer = (className: string, objectId: string) => ({ __type: 'Pointer', className, objectId });
const date = (iso: string) => ({ __type: 'Date', iso });
const geo = (latitude: number, longitude: number) => ({ __type: 'GeoPoint', latitude, longitude });

interface BuiltQuery {
  className: string;
  toJSON(): { where?: unknown; keys?: string; watch?: string };
}

/** Runs the generated code (without its subscribe line) against the real Parse JS SDK and returns the query. */
function run(code: string): BuiltQuery {
  const lines = code.split('\n');
  assert.match(lines.at(-1)!, /^const subscription = await query\.subscribe\((sessionToken)?\);$/);
  const body = `${lines.slice(0, -1).join('\n')}\nreturn query;`;
  return new Function('Parse', body)(Parse) as BuiltQuery;
}

/** What LiveQueryClient sends for a query built by the SDK. */
function sent(query: BuiltQuery): QueryJSON {
  const json = query.toJSON();
  const out: QueryJSON = { className: query.className, where: (json.where ?? {}) as QueryJSON['where'] };
  if (json.keys) out.keys = json.keys.split(',');
  if (json.watch) out.watch = json.watch.split(',');
  return out;
}

function assertSameQuery(query: QueryJSON): string {
  const code = toParseSdkCode(query, { sessionToken: true });
  assert.deepEqual(sent(run(code)), query, code);
  return code;
}

describe('toParseSdkCode', () => {
  it('writes simple conditions with the SDK methods', () => {
    const query: QueryJSON = {
      className: 'Game',
      where: { score: { $gt: 10, $lte: 100 }, room: 'lobby', tags: { $in: ['a', 'b'] }, deletedAt: { $exists: false } },
    };
    assert.equal(
      toParseSdkCode(query, { sessionToken: true }),
      [
        "const query = new Parse.Query('Game');",
        "query.greaterThan('score', 10);",
        "query.lessThanOrEqualTo('score', 100);",
        "query.equalTo('room', 'lobby');",
        "query.containedIn('tags', ['a', 'b']);",
        "query.doesNotExist('deletedAt');",
        'const subscription = await query.subscribe(sessionToken);',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('writes select and watch, and subscribe() without a token unless asked', () => {
    const query: QueryJSON = { className: 'Message', where: { text: { $exists: true } }, keys: ['text', 'author'], watch: ['text'] };
    assert.equal(
      toParseSdkCode(query, {}),
      [
        "const query = new Parse.Query('Message');",
        "query.exists('text');",
        "query.select('text', 'author');",
        "query.watch('text');",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('writes an empty where as a bare query', () => {
    assert.equal(
      toParseSdkCode({ className: 'Game', where: {} }),
      "const query = new Parse.Query('Game');\nconst subscription = await query.subscribe();",
    );
    assertSameQuery({ className: 'Game', where: {} });
  });

  it('writes every other operator', () => {
    const query: QueryJSON = {
      className: 'Game',
      where: {
        a: { $ne: 1, $gte: 0, $lt: 9 },
        b: { $nin: [1, 2] },
        c: { $all: ['x'] },
        d: { $containedBy: ['x', 'y'] },
        e: { $exists: true },
        f: { $eq: 5 },
        g: { $regex: '^a', $options: 'i' },
        h: { $regex: 'b' },
      },
    };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query = new Parse.Query('Game');",
        "query.notEqualTo('a', 1);",
        "query.greaterThanOrEqualTo('a', 0);",
        "query.lessThan('a', 9);",
        "query.notContainedIn('b', [1, 2]);",
        "query.containsAll('c', ['x']);",
        "query.containedBy('d', ['x', 'y']);",
        "query.exists('e');",
        "query._addCondition('f', '$eq', 5);",
        "query.matches('g', '^a', 'i');",
        "query.matches('h', 'b');",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('writes pointers, dates and dotted keys as SDK values', () => {
    const query: QueryJSON = {
      className: 'Message',
      where: {
        author: pointer('_User', 'u1'),
        room: pointer('Room', 'r1'),
        createdAt: { $gt: date('2025-01-01T00:00:00.000Z') },
        'meta.lang': 'fr',
        players: { $in: [pointer('Player', 'p1')] },
      },
    };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query = new Parse.Query('Message');",
        "query.equalTo('author', Parse.User.createWithoutData('u1'));",
        "query.equalTo('room', Parse.Object.extend('Room').createWithoutData('r1'));",
        "query.greaterThan('createdAt', new Date('2025-01-01T00:00:00.000Z'));",
        "query.equalTo('meta.lang', 'fr');",
        "query.containedIn('players', [Parse.Object.extend('Player').createWithoutData('p1')]);",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('keeps a date whose text the SDK would rewrite as JSON', () => {
    const query: QueryJSON = { className: 'A', where: { at: { $lt: date('2025-01-01T00:00:00Z') } } };
    assert.match(toParseSdkCode(query), /query\.lessThan\('at', \{ __type: 'Date', iso: '2025-01-01T00:00:00Z' \}\);/);
    assertSameQuery(query);
  });

  it('writes groups with Parse.Query.or/and/nor and sub-queries', () => {
    const query: QueryJSON = {
      className: 'Game',
      where: { $or: [{ room: 'a' }, { room: 'b', score: { $gt: 3 } }], active: true },
    };
    assert.equal(
      toParseSdkCode(query, { sessionToken: true }),
      [
        "const query1 = new Parse.Query('Game');",
        "query1.equalTo('room', 'a');",
        "const query2 = new Parse.Query('Game');",
        "query2.equalTo('room', 'b');",
        "query2.greaterThan('score', 3);",
        'const query = Parse.Query.or(query1, query2);',
        "query.equalTo('active', true);",
        'const subscription = await query.subscribe(sessionToken);',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('nests $or inside $and inside $nor', () => {
    const query: QueryJSON = {
      className: 'Game',
      where: { $nor: [{ $and: [{ $or: [{ a: 1 }, { b: 2 }] }, { c: { $exists: true } }] }, { d: 4 }] },
    };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query1 = new Parse.Query('Game');",
        "query1.equalTo('a', 1);",
        "const query2 = new Parse.Query('Game');",
        "query2.equalTo('b', 2);",
        'const query3 = Parse.Query.or(query1, query2);',
        "const query4 = new Parse.Query('Game');",
        "query4.exists('c');",
        'const query5 = Parse.Query.and(query3, query4);',
        "const query6 = new Parse.Query('Game');",
        "query6.equalTo('d', 4);",
        'const query = Parse.Query.nor(query5, query6);',
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('adds a second group at the same level through the SDK’s own _andQuery/_norQuery', () => {
    const query: QueryJSON = { className: 'Game', where: { $or: [{ a: 1 }], $nor: [{ b: 2 }], c: 3 } };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query1 = new Parse.Query('Game');",
        "query1.equalTo('a', 1);",
        'const query = Parse.Query.or(query1);',
        "const query2 = new Parse.Query('Game');",
        "query2.equalTo('b', 2);",
        'query._norQuery([query2]);',
        "query.equalTo('c', 3);",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('writes geo conditions with near, withinRadians, withinGeoBox, withinPolygon and polygonContains', () => {
    const query: QueryJSON = {
      className: 'Place',
      where: {
        a: { $nearSphere: geo(40, -30) },
        b: { $nearSphere: geo(1, 2), $maxDistance: 0.25 },
        c: { $within: { $box: [geo(0, 0), geo(1, 1)] } },
        d: { $geoWithin: { $polygon: [geo(0, 0), geo(0, 1), geo(1, 1)] } },
        e: { $geoWithin: { $centerSphere: [[2.5, 48.5], 0.01] } },
        f: { $geoIntersects: { $point: geo(3, 4) } },
      },
    };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query = new Parse.Query('Place');",
        "query.near('a', new Parse.GeoPoint(40, -30));",
        "query.withinRadians('b', new Parse.GeoPoint(1, 2), 0.25);",
        "query.withinGeoBox('c', new Parse.GeoPoint(0, 0), new Parse.GeoPoint(1, 1));",
        "query.withinPolygon('d', [new Parse.GeoPoint(0, 0), new Parse.GeoPoint(0, 1), new Parse.GeoPoint(1, 1)]);",
        "query.withinRadians('e', new Parse.GeoPoint(48.5, 2.5), 0.01, false);",
        "query.polygonContains('f', new Parse.GeoPoint(3, 4));",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('falls back to _addCondition for operands the SDK methods would change', () => {
    const query: QueryJSON = {
      className: 'A',
      where: {
        a: { $exists: 'yes' },
        b: { $regex: 'x', $options: '' },
        c: { $nearSphere: [1, 2], $maxDistance: 1 },
        d: { $within: { $box: [[0, 0], [1, 1]] } },
        e: { $geoIntersects: { $point: geo(1, 2), extra: 1 } },
      },
    };
    assert.equal(
      toParseSdkCode(query),
      [
        "const query = new Parse.Query('A');",
        "query._addCondition('a', '$exists', 'yes');",
        "query.matches('b', 'x');",
        "query._addCondition('b', '$options', '');",
        "query._addCondition('c', '$nearSphere', [1, 2]);",
        "query._addCondition('c', '$maxDistance', 1);",
        "query._addCondition('d', '$within', { $box: [[0, 0], [1, 1]] });",
        "query._addCondition('e', '$geoIntersects', { $point: new Parse.GeoPoint(1, 2), extra: 1 });",
        'const subscription = await query.subscribe();',
      ].join('\n'),
    );
    assertSameQuery(query);
  });

  it('falls back to withJSON for a where the builder cannot represent or the SDK cannot build', () => {
    for (const where of [{ a: { $inQuery: { className: 'B', where: {} } } }, { $or: [] }, { $and: [{ $nor: [] }] }]) {
      const query: QueryJSON = { className: 'A', where, keys: ['x'] };
      const code = toParseSdkCode(query);
      assert.equal(
        code,
        [
          "const query = new Parse.Query('A');",
          `query.withJSON({ where: ${literal(where, false)} });`,
          "query.select('x');",
          'const subscription = await query.subscribe();',
        ].join('\n'),
      );
      assertSameQuery(query);
    }
    assert.equal(literal({ $or: [] }, false), '{ $or: [] }');
  });

  it('builds the same query for nested and awkward cases', () => {
    const cases: QueryJSON[] = [
      { className: 'G', where: { $or: [{ $and: [{ a: 1 }, { b: 2 }] }] } },
      { className: 'G', where: { $and: [{}] } },
      { className: 'G', where: { $or: [{ a: { $gt: 1, $lt: 5 } }, { $or: [{ x: 1 }, { y: 2, z: 3 }] }] } },
      { className: 'G', where: { 'weird key': "it's", 'new\nline': '\u2028', emoji: '😀', lone: '\ud800' } },
      { className: 'G', where: { meta: { __type: 'Bytes', base64: 'AA==' }, n: -0, big: 1e21 } },
      { className: "Quote'Class", where: { a: null } },
      { className: 'G', where: { a: { $in: [date('2025-01-01T00:00:00.000Z'), geo(1, 2), { x: [1, { y: 'z' }] }] } } },
    ];
    for (const query of cases) assertSameQuery(query);
  });

  it('never writes a session token value', () => {
    const code = toParseSdkCode({ className: 'A', where: {} }, { sessionToken: true });
    assert.ok(code.endsWith('await query.subscribe(sessionToken);'));
    assert.ok(!/r:[0-9a-f]/.test(code));
  });
});

describe('toParseSdkCode with a where 50,000 levels deep', () => {
  it('writes the where as JSON text that parses back to it', () => {
    let where: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 50_000; i++) where = { $or: [where] };
    const code = toParseSdkCode({ className: 'G', where });
    const line = code.split('\n').find((l) => l.startsWith('query.withJSON'))!;
    const text = new Function(`return ${line.slice('query.withJSON({ where: JSON.parse('.length, -' }));'.length)};`)() as string;
    assert.ok(text.startsWith('{"$or":[{"$or":[') && text.endsWith('{"a":1}' + ']}'.repeat(50_000)));
  });
});

describe('jsString / literal', () => {
  it('escapes quotes, backslashes, line breaks and lone surrogates', () => {
    assert.equal(jsString("it's \\ ok"), "'it\\'s \\\\ ok'");
    assert.equal(jsString('a\nb\r\tc\u0001\u2028'), "'a\\nb\\r\\tc\\u0001\\u2028'");
    assert.equal(jsString('😀\ud800x'), "'😀\\ud800x'");
    for (const text of ["it's", 'a\nb', '\u2028\u2029', '\ud800', '😀', '\\u0041']) {
      assert.equal(new Function(`return ${jsString(text)};`)(), text);
    }
  });

  it('quotes keys that are not identifiers and never writes a bare __proto__ key', () => {
    assert.equal(literal({ a: 1, 'b-c': 2, $or: [] }, false), "{ a: 1, 'b-c': 2, $or: [] }");
    const value = JSON.parse('{"__proto__": 1}') as unknown;
    const text = literal(value, false);
    assert.equal(text, "{ ['__proto__']: 1 }");
    assert.deepEqual(JSON.stringify(new Function(`return ${text};`)()), '{"__proto__":1}');
  });
});

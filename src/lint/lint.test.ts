import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsFromRecords, fieldsFromSchema, lintSubscription, worstSeverity, type KnownFields, type LintInput } from './index.js';

const lint = (where: unknown, extra: Partial<LintInput> = {}) => lintSubscription({ query: { className: 'Message', where }, ...extra });
const ids = (found: ReturnType<typeof lintSubscription>) => found.map((f) => `${f.severity} ${f.id}${f.path ? ` @${f.path}` : ''}`);
const schema: KnownFields = fieldsFromSchema({
  className: 'Message',
  fields: { objectId: { type: 'String' }, title: { type: 'String' }, when: { type: 'Date' }, owner: { type: 'Pointer', targetClass: '_User' }, meta: { type: 'Object' }, loc: { type: 'GeoPoint' } },
})!;

describe('lintSubscription: where', () => {
  it('finds nothing in a plain query', () => {
    assert.deepEqual(lint({ title: 'hi', 'meta.level': 2, owner: { __type: 'Pointer', className: '_User', objectId: 'u1' } }, { fields: schema }), []);
    assert.deepEqual(lint({ title: { $regex: '^h', $options: 'i' }, score: { $gt: 1, $exists: true } }), []);
  });

  it('$text never matches, and the fix is $regex with the searched term', () => {
    const [f] = lint({ title: { $text: { $search: { $term: 'hello' } } } });
    assert.equal(f!.id, 'unsupported-operator');
    assert.equal(f!.severity, 'never');
    assert.equal(f!.path, 'where.title.$text');
    assert.equal(f!.message, 'title uses $text ({"$search":{"$term":"hello"}}), which the LiveQuery matcher does not support: it never matches');
    assert.equal(f!.fix, 'Use $regex instead of $text: {"title": {"$regex": "hello", "$options": "i"}}');
  });

  it('$select, $dontSelect, $inQuery, $notInQuery, $near and unknown operators never match', () => {
    for (const op of ['$select', '$dontSelect', '$inQuery', '$notInQuery', '$near', '$elemMatch', '$foo']) {
      assert.deepEqual(ids(lint({ tag: { [op]: {} } })), [`never unsupported-operator @where.tag.${op}`], op);
    }
    assert.match(lint({ owner: { $inQuery: {} } })[0]!.fix, /"owner": \{"\$in": \[pointers…\]\}/);
    assert.match(lint({ loc: { $near: {} } })[0]!.fix, /Use \$nearSphere/);
  });

  it('$relatedTo and an unknown top-level $ key never match', () => {
    assert.deepEqual(ids(lint({ $relatedTo: { key: 'x' } })), ['never related-to @where.$relatedTo']);
    assert.deepEqual(ids(lint({ $where: 'x' })), ['never unsupported-operator @where.$where']);
  });

  it('inside $or a never-matching branch is a warning; inside $and it stays never', () => {
    const [or] = lint({ $or: [{ title: { $text: {} } }, { title: 'x' }] });
    assert.equal(or!.severity, 'warning');
    assert.match(or!.message, /\(inside \$or: only this \$or branch never matches\)$/);
    assert.equal(or!.path, 'where.$or[0].title.$text');
    assert.equal(lint({ $and: [{ title: { $text: {} } }] })[0]!.severity, 'never');
    assert.match(lint({ $nor: [{ title: null }] })[0]!.message, /excludes nothing/);
  });

  it('$maxDistanceIn…: never before $nearSphere, ignored after it; the fix gives $maxDistance in radians', () => {
    const before = lint({ loc: { $maxDistanceInKilometers: 10, $nearSphere: {} } });
    assert.deepEqual(ids(before), ['never max-distance-unit @where.loc.$maxDistanceInKilometers']);
    assert.equal(before[0]!.fix, 'Use "$maxDistance" in radians right after "$nearSphere": "$maxDistance": 0.00157 (10 km ÷ 6371)');
    const after = lint({ loc: { $nearSphere: {}, $maxDistanceInMiles: 1 } });
    assert.deepEqual(ids(after), ['warning max-distance-unit @where.loc.$maxDistanceInMiles']);
    assert.match(after[0]!.message, /every object with a loc matches, however far/);
  });

  it('conditions after $nearSphere/$within/$containedBy/$geoIntersects are ignored', () => {
    assert.deepEqual(ids(lint({ loc: { $nearSphere: {}, $maxDistance: 1, $exists: false } })), ['warning operator-ignored @where.loc.$exists']);
  });

  it('an invalid $regex or $options is refused with code 102', () => {
    const [x] = lint({ title: { $regex: 'a b', $options: 'x' } });
    assert.equal(x!.severity, 'refused');
    assert.equal(x!.message, 'title: $options "x" has "x", which JavaScript regular expressions do not have: Parse Server 9.10 refuses the subscribe (code 102, "Invalid regular expression")');
    assert.match(x!.fix, /^Drop "x"/);
    assert.match(lint({ title: { $regex: '(?i)abc' } })[0]!.fix, /Move inline flags such as \(\?i\) to \$options/);
    assert.match(lint({ title: { $regex: '(' } })[0]!.message, /the pattern "\(" is not a JavaScript regular expression/);
    assert.match(lint({ title: { $regex: 5 } })[0]!.message, /\$regex: 5 is not text/);
    assert.deepEqual(lint({ title: { $regex: { source: 'a', flags: 'i' } } }), []);
  });

  it('$or that is not an array is refused with code 102', () => {
    assert.deepEqual(ids(lint({ $or: { a: 1 } })), ['refused logical-not-array @where.$or']);
  });

  it('null, arrays and objects as values never match, with the fix that does', () => {
    const [n] = lint({ deleted: null });
    assert.equal(n!.message, 'deleted: null never matches in LiveQuery, not even objects without deleted (a REST query would match them)');
    assert.equal(n!.fix, 'Use {"deleted": {"$exists": false}}');
    assert.equal(lint({ tags: ['a'] })[0]!.fix, 'Use {"tags": {"$all": ["a"]}} (contains all) or {"$eq": ["a"]} (exactly this array)');
    const [o] = lint({ meta: { level: 2 } });
    assert.equal(o!.id, 'object-equality');
    assert.match(o!.fix, /\{"meta\.level": 2\}/);
    const [p] = lint({ owner: { className: '_User', objectId: 'u1' } });
    assert.equal(p!.id, 'pointer-without-type');
    assert.equal(p!.fix, 'Add "__type": "Pointer": {"owner": {"__type": "Pointer", "className": "_User", "objectId": "u1"}}');
  });

  it('text compared with a Pointer or Date field (known from the schema) never matches', () => {
    assert.deepEqual(ids(lint({ owner: 'u1', when: '2024-01-01T00:00:00.000Z' }, { fields: schema })), [
      'never pointer-without-type @where.owner',
      'never date-without-type @where.when',
    ]);
    assert.deepEqual(lint({ owner: 'u1' }), [], 'without the schema, text may be a string field');
  });

  it('a Date bound on createdAt is ignored; text bound on a Date field too', () => {
    const [t] = lint({ createdAt: { $gt: { __type: 'Date', iso: '2024-01-01T00:00:00.000Z' } } });
    assert.equal(t!.id, 'timestamp-as-date');
    assert.equal(t!.severity, 'warning');
    assert.equal(t!.fix, 'Compare with the ISO text: {"createdAt": {"$gt": "2024-01-01T00:00:00.000Z"}}');
    assert.equal(lint({ updatedAt: { __type: 'Date', iso: 'x' } })[0]!.severity, 'never');
    const text = lint({ when: { $lt: '2024-01-01T00:00:00.000Z', $exists: true } }, { fields: schema });
    assert.deepEqual(ids(text), ['warning date-without-type @where.when.$lt']);
    assert.match(lint({ other: { $lt: '2024-01-01T00:00:00.000Z', $exists: true } })[0]!.message, /if other is a Date field/);
  });

  it('$in/$nin/$all/$containedBy with a non-array', () => {
    assert.deepEqual(ids(lint({ a: { $in: 5 }, b: { $in: 'xyz' }, c: { $all: 'ab' }, d: { $nin: {} } })), [
      'never list-operand-not-array @where.a.$in',
      'never list-operand-not-array @where.d.$nin',
      'warning list-operand-not-array @where.b.$in',
      'warning list-operand-not-array @where.c.$all',
    ]);
    assert.match(lint({ b: { $in: 'xyz' } })[0]!.message, /matches any value that is part of that text \(e\.g\. "x"\)/);
  });

  it('$exists that is not a boolean is ignored', () => {
    const [f] = lint({ a: { $exists: 'false' } });
    assert.equal(f!.id, 'exists-not-boolean');
    assert.equal(f!.fix, 'Use {"$exists": false}');
  });

  it('a comparison also matches objects without the field, unless $exists: true is there', () => {
    assert.deepEqual(ids(lint({ score: { $gt: 3, $lt: 9 } })), ['warning comparison-matches-missing @where.score']);
    assert.deepEqual(lint({ score: { $gt: 3, $exists: true } }), []);
  });

  it('invalid field names never match; fields the schema lacks are warned about, with the source', () => {
    assert.deepEqual(ids(lint({ 'my title': 1 })), ['never invalid-field-name @where.my title']);
    const [u] = lint({ titel: 'x' }, { fields: schema });
    assert.equal(u!.message, 'Message has no field "titel" (per the schema of Message): this matches only once a write adds it');
    const seen = fieldsFromRecords([{ objectId: 'a', title: 'x' }, { objectId: 'b', title: 'y' }]);
    assert.match(lint({ titel: 'x' }, { fields: seen })[0]!.message, /per 2 recorded Message objects/);
    assert.deepEqual(lint({ titel: { $exists: false } }, { fields: schema }), []);
  });

  it('a where that is not an object is refused; bad input never throws', () => {
    assert.deepEqual(ids(lint([])), ['refused where-not-object @where']);
    for (const where of [null, 'x', 5, { a: { $in: undefined } }, { $or: [null, 1, { $and: 'x' }] }]) lint(where);
  });
});

describe('lintSubscription: keys and watch', () => {
  const q = (keys?: unknown, watch?: unknown, fields?: KnownFields) => lintSubscription({ query: { className: 'Message', where: {}, keys, watch }, fields });

  it('empty, duplicate or non-text lists are refused with code 1', () => {
    assert.deepEqual(ids(q([])), ['refused list-refused @keys']);
    assert.equal(q([])[0]!.message, '"keys" is empty ("Array is too short (0), minimum 1"): Parse Server refuses the subscribe (code 1)');
    assert.match(q(undefined, ['a', 'a'])[0]!.message, /names "a" twice/);
    assert.match(q('a,b')[0]!.message, /is "a,b", not an array/);
  });

  it('a watch list of fields that cannot change never fires create or update', () => {
    const [f] = q(undefined, ['meta.level']);
    assert.equal(f!.id, 'watch-nested-field');
    assert.equal(f!.severity, 'never');
    assert.match(f!.message, /no create or update event can ever arrive \(enter, leave and delete still do\)$/);
    assert.deepEqual(ids(q(undefined, ['objectId'])), ['never watch-never-changes @watch[0]']);
    assert.deepEqual(ids(q(undefined, ['objectId', 'title'])), ['warning watch-never-changes @watch[0]']);
  });

  it('watch and keys fields the schema lacks, and watched fields left out of keys', () => {
    assert.deepEqual(ids(q(['title', 'nope'], ['nada'], schema)), [
      'warning keys-unknown-field @keys[1]',
      'warning watch-unknown-field @watch[0]',
      'warning watch-not-in-keys @watch[0]',
    ]);
    assert.deepEqual(ids(q(['title'], ['title'], schema)), []);
    assert.deepEqual(ids(q(['bad name', 'meta.level'])), ['warning invalid-field-name @keys[0]', 'warning keys-unknown-field @keys[1]']);
  });
});

describe('lintSubscription: tokens and class', () => {
  const t = (className: string, sessionToken?: string | null, connectionToken?: string | null) =>
    ids(lintSubscription({ query: { className, where: {} }, sessionToken, connectionToken }));

  it('null tokens are refused; an empty one is the connection\'s; two different ones both read', () => {
    assert.deepEqual(t('M', null), ['refused null-session-token @sessionToken']);
    assert.deepEqual(t('M', undefined, null), ['refused null-connection-token @connectionToken']);
    assert.deepEqual(t('M', '', 'r:c'), ['warning empty-session-token @sessionToken']);
    assert.match(lintSubscription({ query: { className: 'M', where: {} }, sessionToken: '' })[0]!.message, /no user applies \(public objects only\)/);
    assert.deepEqual(t('M', 'r:a', 'r:b'), ['warning token-differs @sessionToken']);
    assert.deepEqual(t('M', 'r:a', 'r:a'), []);
    assert.deepEqual(t('M', 'r:a'), []);
  });

  it('_Session without any token is refused with 209', () => {
    assert.deepEqual(t('_Session'), ['refused session-class-without-token @query.className']);
    assert.deepEqual(t('_Session', undefined, 'r:c'), []);
  });

  it('a class the server does not have is a warning', () => {
    assert.deepEqual(ids(lintSubscription({ query: { className: 'Mesage', where: {} }, fields: { source: 'no-class' } })), ['warning class-unknown @query.className']);
  });

  it('orders findings refused, never, warning; worstSeverity names the first', () => {
    const found = lintSubscription({ query: { className: 'M', where: { a: { $exists: 1 }, b: null } }, sessionToken: null });
    assert.deepEqual(found.map((f) => f.severity), ['refused', 'never', 'warning']);
    assert.equal(worstSeverity(found), 'refused');
    assert.equal(worstSeverity([]), null);
  });
});

describe('known fields', () => {
  it('fieldsFromSchema reads /schemas answers and refuses anything else', () => {
    assert.deepEqual(fieldsFromSchema({ fields: { a: { type: 'Date' }, b: { type: 'Weird' }, __proto__x: {} } }), { source: 'schema', types: { a: 'Date', b: undefined, __proto__x: undefined } });
    assert.equal(fieldsFromSchema({ error: 'x' }), null);
    assert.equal(fieldsFromSchema('x'), null);
  });

  it('fieldsFromRecords types fields by their values', () => {
    assert.deepEqual(fieldsFromRecords([{ className: 'M', a: 'x', d: { __type: 'Date', iso: '' } }, 'junk', { b: [1], c: { x: 1 } }]), {
      source: 'records',
      types: { a: 'String', d: 'Date', b: 'Array', c: 'Object' },
      objects: 2,
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it as test } from 'node:test';
import { exceedsDepth, MAX_JSON_DEPTH, stringifyJSON } from './json-limits.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('exceedsDepth', () => {
  test('counts object and array levels', () => {
    assert.equal(exceedsDepth(1), false);
    assert.equal(exceedsDepth(nested(3), 3), false);
    assert.equal(exceedsDepth(nested(4), 3), true);
    assert.equal(exceedsDepth({ a: 1, b: { c: [1, { d: 2 }] } }, 4), false);
    assert.equal(exceedsDepth({ a: 1, b: { c: [1, { d: {} }] } }, 4), true);
  });
  test('walks a 100,000-level value without a stack overflow', () => {
    assert.equal(exceedsDepth(nested(100_000)), true);
    assert.equal(exceedsDepth(nested(MAX_JSON_DEPTH)), false);
  });
});

describe('stringifyJSON', () => {
  test('writes what JSON.stringify writes', () => {
    const values: unknown[] = [
      1, -0, NaN, 'a"\n\u2028', true, null, undefined, [], {}, [undefined, () => 1, Infinity, [[]]],
      { a: undefined, b: 1, c: [1, { d: 'x' }], e: new Date(0), f: () => 1, 'k"': { '': [] } },
      JSON.parse('{"__proto__":{"a":1},"1":2,"b":3}'),
    ];
    for (const value of values) assert.equal(stringifyJSON(value), JSON.stringify(value));
  });
  test('writes a 50,000-level value that JSON.stringify cannot, and it parses back', () => {
    const deep = nested(50_000);
    assert.throws(() => JSON.stringify(deep), RangeError);
    const text = stringifyJSON(deep)!;
    assert.equal(text.length, (50_000 / 2) * ('[]'.length + '{"a":}'.length) + 1);
    assert.equal(stringifyJSON(JSON.parse(text)), text);
  });
  test('refuses a cycle as JSON.stringify does', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = [cycle];
    assert.throws(() => stringifyJSON(cycle), TypeError);
  });
});

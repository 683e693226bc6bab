import assert from 'node:assert/strict';
import { describe, it as test } from 'node:test';
import { exceedsDepth, MAX_JSON_DEPTH } from './json-limits.js';

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

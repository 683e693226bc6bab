import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeReceivedFrame, describeSentFrame, preview, TOO_DEEP } from './describe.js';

/** `{"a": [{"a": [… leaf …]}]}`, `depth` levels of objects and arrays. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const deepText = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('describe', () => {
  it('names the fields an update changed', () => {
    const raw = JSON.stringify({ op: 'update', requestId: 1, object: { className: 'G', objectId: 'x', score: 2, name: 'a' }, original: { className: 'G', objectId: 'x', score: 1, name: 'a' } });
    assert.equal(describeReceivedFrame(raw).summary, '#1 G x changed score');
  });

  it('says an update 50,000 levels deep is too deep to compare, without a stack overflow', () => {
    const raw = `{"op":"update","requestId":1,"object":{"className":"G","objectId":"x","deep":${deepText(50_000)}},"original":{"className":"G","objectId":"x","deep":[]}}`;
    const described = describeReceivedFrame(raw);
    assert.equal(described.kind, 'update');
    assert.equal(described.summary, '#1 G x (too deep to compare)');
  });

  it('summarises a subscribe whose where is 50,000 levels deep', () => {
    const raw = `{"op":"subscribe","requestId":2,"query":{"className":"G","where":{"a":${deepText(50_000)}}}}`;
    assert.equal(describeSentFrame(raw).summary, `#2 G where ${TOO_DEEP}`);
    assert.equal(preview(nested(50_000)), TOO_DEEP);
    assert.equal(preview({ a: 1 }), '{"a":1}');
  });
});

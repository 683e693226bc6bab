import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceKey, subscriptionKey } from './keys.js';

describe('sourceKey / subscriptionKey', () => {
  it('names every source by its type and id', () => {
    assert.equal(sourceKey({ type: 'extension' }), 'extension');
    assert.equal(sourceKey({ type: 'server', serverId: 'a1' }), 'server:a1');
    assert.equal(sourceKey({ type: 'document', frameId: 3 }), 'document:3');
    assert.equal(sourceKey({ type: 'pageSocket', socketId: 's-1', frameId: 3 }), 'pageSocket:s-1');
  });

  it('names a subscription after its owner, so a server’s and a page socket’s never collide', () => {
    assert.equal(subscriptionKey({ type: 'server', serverId: 'a1', subscriptionId: 'b2' }), 'server:a1/b2');
    assert.equal(subscriptionKey({ type: 'pageSocket', socketId: 's-1', requestId: 4 }), 'pageSocket:s-1/4');
    assert.ok(subscriptionKey({ type: 'server', serverId: 'x', subscriptionId: '1' }).startsWith(`${sourceKey({ type: 'server', serverId: 'x' })}/`));
  });
});

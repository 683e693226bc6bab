import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hideProtectedFields, shapeToKeys } from './payload.js';

describe('payload rules', () => {
  const object = { className: 'Note', objectId: 'n1', createdAt: 'c', updatedAt: 'u', ACL: {}, a: 1, b: 2 };

  it('keys keep the fixed fields in Parse Server order plus the keys present on the object', () => {
    const shaped = shapeToKeys(object, ['b', 'zz']);
    assert.deepEqual(Object.keys(shaped), ['className', 'objectId', 'updatedAt', 'createdAt', 'ACL', 'b']);
    assert.equal(shapeToKeys(object, undefined), object);
  });

  it("a _User's email and authData are for that user and the master key only", () => {
    const user = { className: '_User', objectId: 'u1', username: 'x', email: 'e', authData: {} };
    assert.deepEqual(hideProtectedFields(user, { userId: 'u2' }), { className: '_User', objectId: 'u1', username: 'x' });
    assert.equal(hideProtectedFields(user, { userId: 'u1' }), user);
    assert.equal(hideProtectedFields(user, { master: true }), user);
    assert.equal(hideProtectedFields(object, {}), object);
  });
});

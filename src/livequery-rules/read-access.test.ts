import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAccess, readersOf } from './read-access.js';

describe('readAccess (Parse Server 9.x _matchesACL / _verifyACL)', () => {
  const acl = { u1: { read: true, write: true }, u2: { write: true }, 'role:mods': { read: true } };

  it('no ACL and public read are readable by anyone, the master key reads everything', () => {
    assert.deepEqual(readAccess(undefined, {}), { readable: true, reason: 'no-acl' });
    assert.deepEqual(readAccess(null, {}), { readable: true, reason: 'no-acl' });
    assert.deepEqual(readAccess({ '*': { read: true } }, {}), { readable: true, reason: 'public' });
    assert.deepEqual(readAccess({}, { master: true }), { readable: true, reason: 'master' });
  });

  it('a user reads through its id or one of its roles; write access alone is not read access', () => {
    assert.deepEqual(readAccess(acl, { userId: 'u1' }), { readable: true, reason: 'user' });
    assert.deepEqual(readAccess(acl, { userId: 'u2' }), { readable: false, reason: 'not-granted' });
    assert.deepEqual(readAccess(acl, { userId: 'u3', roles: () => ['role:x', 'role:mods'] }), { readable: true, reason: 'role', role: 'role:mods' });
    assert.deepEqual(readAccess(acl, {}), { readable: false, reason: 'no-user' });
  });

  it('roles are looked up only when the ACL names a role', () => {
    let lookups = 0;
    const roles = () => {
      lookups++;
      return ['role:mods'];
    };
    assert.equal(readAccess({ u1: { read: true } }, { userId: 'u3', roles }).readable, false);
    assert.equal(lookups, 0);
    assert.equal(readAccess(acl, { userId: 'u3', roles }).readable, true);
    assert.equal(lookups, 1);
  });

  it('malformed ACL entries grant nothing and do not throw', () => {
    assert.equal(readAccess({ u1: true, u2: null, u3: { read: 'yes' } }, { userId: 'u1' }).readable, false);
    assert.deepEqual(readersOf({ u1: true, '*': { read: true }, u2: { read: true } }), ['*', 'u2']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClassPermissions, clpOperation } from './why-clp.js';

const owner = (objectId: string) => ({ __type: 'Pointer', className: '_User', objectId });
const check = (permissions: Record<string, unknown> | undefined, input: Partial<Parameters<typeof checkClassPermissions>[1]> = {}) =>
  checkClassPermissions(permissions, { where: {}, master: false, userId: 'u1', object: { objectId: 'o1' }, ...input });

describe('checkClassPermissions (a LiveQuery node’s _matchesCLP)', () => {
  it('checks get for a query on one objectId alone, find otherwise', () => {
    assert.equal(clpOperation({ objectId: 'a' }), 'get');
    assert.equal(clpOperation({ objectId: 'a', x: 1 }), 'find');
    assert.equal(clpOperation({}), 'find');
  });

  it('passes with the master key, no CLP, public or user grants, or any logged-in user', () => {
    assert.equal(check(undefined).ok, true);
    assert.equal(check({ find: { '*': true } }).ok, true);
    assert.equal(check({ find: { u1: true } }).ok, true);
    assert.equal(check({ find: { requiresAuthentication: true } }).ok, true);
  });

  it('the master key skips only the pointer part: a CLP closed to everyone still answers with an error frame', () => {
    assert.equal(check({ find: {}, readUserFields: ['owner'] }, { master: true, userId: undefined }).ok, true);
    const closed = check({ find: {} }, { master: true, userId: undefined });
    assert.equal(closed.ok, false);
    assert.match(closed.detail, /error frame \(code 119\)/);
  });

  it('refuses (with an error frame, not silence) a CLP that grants only roles: LiveQuery checks the user alone', () => {
    const result = check({ find: { 'role:mods': true } });
    assert.equal(result.ok, false);
    assert.match(result.detail, /role:mods do not count.*error frame \(code 119\)/);
    assert.match(check({ find: { requiresAuthentication: true } }, { userId: undefined }).detail, /code 101/);
  });

  it('pointer permissions: passes when a field points to the user (or a list holds it), skips silently otherwise', () => {
    const clp = { find: {}, readUserFields: ['owner', 'editors'] };
    assert.equal(check(clp, { object: { owner: owner('u1') } }).ok, true);
    assert.equal(check(clp, { object: { editors: [owner('x'), owner('u1')] } }).ok, true);
    const other = check(clp, { object: { owner: owner('x') } });
    assert.equal(other.ok, false);
    assert.match(other.detail, /pointer fields \[owner, editors\] and none points to user u1: Parse Server skips the event silently/);
    const noOwnToken = check({ get: { pointerFields: ['owner'] } }, { where: { objectId: 'o1' }, userId: undefined, object: { owner: owner('u1') } });
    assert.match(noOwnToken.detail, /limit get to pointer fields \[owner\] and the subscription has no token of its own/);
  });
});

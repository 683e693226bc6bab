import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestError } from '../../src/parse-rest/rest-client.js';
import { RestAuthCache, type AuthSource } from './rest-auth.js';

/** A Parse Server in miniature that counts the lookups it answers. */
function fakeSource(users: Record<string, string>, roles: Record<string, string[]> = {}, sessions: Record<string, string[]> = {}) {
  const calls = { userOf: 0, rolesOf: 0, sessionTokensOf: 0 };
  let down = false;
  const source: AuthSource = {
    async userOf(token) {
      calls.userOf++;
      if (down) throw new RestError('Cannot reach http://127.0.0.1:1/parse: fetch failed');
      return users[token] ?? null;
    },
    async rolesOf(userId) {
      calls.rolesOf++;
      if (down) throw new RestError('Cannot reach http://127.0.0.1:1/parse: fetch failed');
      return roles[userId] ?? [];
    },
    async sessionTokensOf(userId) {
      calls.sessionTokensOf++;
      return sessions[userId] ?? [];
    },
  };
  return { source, calls, setDown: (value: boolean) => (down = value) };
}

const HOUR = 3_600_000;
const resolved = async (cache: RestAuthCache, token: string) => (await cache.resolve(token)).userId;

describe('RestAuthCache (session tokens and roles through REST, cached like Parse Server)', () => {
  it('a token is looked up once while its entry lives, valid or invalid alike', async () => {
    const { source, calls } = fakeSource({ 'r:a': 'userA' });
    const cache = new RestAuthCache(source, HOUR, () => undefined);
    assert.equal(await resolved(cache, 'r:a'), 'userA');
    assert.equal(await resolved(cache, 'r:a'), 'userA');
    assert.equal(await resolved(cache, 'r:nobody'), undefined);
    assert.equal(await resolved(cache, 'r:nobody'), undefined);
    assert.equal(calls.userOf, 2);
    assert.equal(cache.get('r:a').userId, 'userA');
  });

  it('an entry older than cacheTimeout is looked up again', async () => {
    const { source, calls } = fakeSource({ 'r:a': 'userA' });
    const cache = new RestAuthCache(source, 0, () => undefined);
    await resolved(cache, 'r:a');
    await resolved(cache, 'r:a');
    assert.equal(calls.userOf, 2);
  });

  it('concurrent lookups of one token share one request', async () => {
    const { source, calls } = fakeSource({ 'r:a': 'userA' });
    const cache = new RestAuthCache(source, HOUR, () => undefined);
    await Promise.all([cache.resolve('r:a'), cache.resolve('r:a'), cache.prepare(['r:a'], false)]);
    assert.equal(calls.userOf, 1);
  });

  it('an unreachable server is not cached: no user for now, asked again next time, and said in health and the log', async () => {
    const { source, calls, setDown } = fakeSource({ 'r:a': 'userA' });
    const logs: string[] = [];
    const cache = new RestAuthCache(source, HOUR, (line) => logs.push(line));
    setDown(true);
    assert.equal(await resolved(cache, 'r:a'), undefined);
    assert.equal(cache.health.state, 'unreachable');
    assert.match(logs.join('\n'), /could not resolve a session token: Cannot reach/);
    setDown(false);
    assert.equal(await resolved(cache, 'r:a'), 'userA');
    assert.equal(calls.userOf, 2);
    assert.equal(cache.health.state, 'ok');
    assert.match(logs.at(-1) ?? '', /answering again/);
  });

  it('an expired entry whose lookup fails is dropped: the event sees no user, not the old one', async () => {
    const { source, setDown } = fakeSource({ 'r:a': 'userA' });
    const cache = new RestAuthCache(source, 0, () => undefined);
    await cache.prepare(['r:a'], false);
    assert.equal(cache.get('r:a').userId, 'userA');
    setDown(true);
    await cache.prepare(['r:a'], false);
    assert.equal(cache.get('r:a').userId, undefined);
  });

  it('prepare: null when every token is fresh; fetches missing tokens, and roles only when asked', async () => {
    const { source, calls } = fakeSource({ 'r:a': 'userA', 'r:b': 'userB' }, { userA: ['role:mods'] });
    const cache = new RestAuthCache(source, HOUR, () => undefined);
    await cache.prepare(['r:a', 'r:b'], false);
    assert.equal(calls.userOf, 2);
    assert.equal(calls.rolesOf, 0);
    assert.equal(cache.prepare(['r:a', 'r:b'], false), null);
    await cache.prepare(['r:a', 'r:b'], true);
    assert.equal(calls.rolesOf, 2);
    assert.deepEqual(cache.get('r:a').roles(), ['role:mods']);
    assert.deepEqual(cache.get('r:b').roles(), []);
    assert.equal(cache.prepare(['r:a', 'r:b'], true), null, 'roles are looked up once per cache entry');
  });

  it('an invalid token needs no roles', async () => {
    const { source, calls } = fakeSource({});
    const cache = new RestAuthCache(source, HOUR, () => undefined);
    await cache.prepare(['r:gone'], true);
    assert.equal(calls.rolesOf, 0);
    assert.equal(cache.prepare(['r:gone'], true), null);
  });

  it("clearCache {userId}: the user's cached sessions are looked up again (their roles too)", async () => {
    const { source, calls } = fakeSource({ 'r:a1': 'userA', 'r:a2': 'userA', 'r:b': 'userB' }, { userA: ['role:mods'] }, { userA: ['r:a1', 'r:a2'] });
    const cache = new RestAuthCache(source, HOUR, () => undefined);
    await cache.prepare(['r:a1', 'r:a2', 'r:b'], true);
    await cache.clearUser('userA');
    assert.equal(calls.sessionTokensOf, 1);
    assert.equal(cache.prepare(['r:b'], true), null);
    await cache.prepare(['r:a1', 'r:a2'], true);
    assert.equal(calls.userOf, 5);
    assert.equal(calls.rolesOf, 5);
  });

  it('keeps at most `max` tokens, dropping the least recently stored', async () => {
    const { source, calls } = fakeSource({ t1: 'u1', t2: 'u2', t3: 'u3' });
    const cache = new RestAuthCache(source, HOUR, () => undefined, 2);
    for (const token of ['t1', 't2', 't3']) await cache.resolve(token);
    assert.equal(cache.get('t1').userId, undefined);
    assert.equal(cache.get('t3').userId, 'u3');
    await cache.resolve('t1');
    assert.equal(calls.userOf, 4);
  });
});

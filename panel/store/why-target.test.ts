import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type PageSocketView, type ServerView } from '../../src/views.js';
import { hiddenCauses } from './why-causes.js';
import { whyTargetOf } from './why-target.js';

const server: ServerView = {
  id: 'srv',
  spec: { serverURL: 'ws://app.test/lq', restURL: 'http://app.test/parse', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk', sessionToken: 'r:conn' },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: [
    { id: 's1', query: { className: 'Note', where: { a: 1 } }, sessionToken: 'r:own', state: 'subscribed', counts: emptyCounts() },
    { id: 's2', query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() },
  ],
};

const socket: PageSocketView = {
  id: 'sock',
  frameId: 0,
  frameUrl: 'http://app.test/',
  generation: 1,
  url: 'ws://other.test/parse?x=1',
  state: 'open',
  subscriptions: [{ requestId: 1, query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() }],
};

describe('whyTargetOf', () => {
  it('a panel subscription: its own token first, the connection’s second, the entry’s master key and REST URL', () => {
    const target = whyTargetOf('server:srv/s1', [server], [])!;
    assert.deepEqual(target.token, { value: 'r:own', origin: 'subscription' });
    assert.equal(target.connectionToken, 'r:conn');
    assert.equal(target.connectionMaster, true);
    assert.equal(target.masterKey, 'mk');
    assert.deepEqual(target.rest, { restURL: 'http://app.test/parse', applicationId: 'app', javascriptKey: 'js' });
    assert.deepEqual(whyTargetOf('server:srv/s2', [server], [])!.token, { value: 'r:conn', origin: 'connection' });
  });

  it('a page subscription without a server entry: REST derived from its URL, no master key; no application id is said', () => {
    const target = whyTargetOf('pageSocket:sock/1', [server], [socket])!;
    assert.equal(target.rest.restURL, 'http://other.test/parse');
    assert.equal(target.masterKey, undefined);
    assert.equal(target.token, undefined);
    assert.match(target.restProblem ?? '', /has not said its application id/);
    assert.equal(whyTargetOf('pageSocket:sock/9', [server], [socket]), undefined);
  });
});

describe('hiddenCauses', () => {
  it('names the class and adds the token causes only when they apply', () => {
    const ids = (t: Parameters<typeof hiddenCauses>[0]) => hiddenCauses(t).map((c) => c.id);
    assert.deepEqual(ids({ className: 'Note', connectionMaster: true }), ['classNames', 'afterLiveQueryEvent', 'roleCache', 'pointerPermissions', 'pubSub']);
    assert.deepEqual(ids({ className: 'Note', connectionMaster: false, token: { value: 'r:a', origin: 'subscription' }, connectionToken: 'r:b' }).slice(-2), ['sessionCache', 'secondToken']);
    assert.match(hiddenCauses({ className: 'Note', connectionMaster: false })[0]!.what, /Note matches an entry of liveQuery\.classNames/);
    assert.deepEqual(ids({ className: 'Note', connectionMaster: false, query: { className: 'Note', where: { $or: [{ name: { $regex: '^a' } }] } } }).slice(-1), ['regexTimeout']);
    assert.ok(!ids({ className: 'Note', connectionMaster: false, query: { className: 'Note', where: { name: 'a' } } }).includes('regexTimeout'));
  });
});

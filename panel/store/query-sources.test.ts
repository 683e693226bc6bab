import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServerSpec } from '../../src/messages.js';
import { emptyCounts, type PageSocketView, type ServerView } from '../../src/views.js';
import { querySourceOf } from './query-sources.js';

const server = (restURL?: string): ServerView => ({
  id: 'srv',
  spec: { serverURL: 'ws://app.test:1337', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk', ...(restURL ? { restURL } : {}) },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: [{ id: 'sub1', query: { className: 'Game', where: { a: 1 }, keys: ['a'] }, sessionToken: 'r:sub', state: 'subscribed', counts: emptyCounts() }],
});

const socket: PageSocketView = {
  id: 'sock',
  frameId: 3,
  frameUrl: 'http://app.test/',
  generation: 1,
  url: 'ws://app.test:1337/?x=1',
  state: 'open',
  applicationId: 'app',
  javascriptKey: 'page-js',
  sessionToken: 'r:page',
  subscriptions: [
    { requestId: 1, query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() },
    { requestId: 2, query: { className: 'Note', where: {} }, sessionToken: 'r:own', state: 'subscribed', counts: emptyCounts() },
    { requestId: 3, query: { className: 'Note', where: {} }, queryOmitted: 'tooDeep', state: 'subscribed', counts: emptyCounts() },
  ],
};

describe('querySourceOf', () => {
  it('runs a panel subscription on its server’s REST URL (named, else derived) with its token, never the master key', () => {
    assert.deepEqual(querySourceOf('server:srv/sub1', [server()], []), {
      creds: { restURL: 'http://app.test:1337', applicationId: 'app', javascriptKey: 'js', sessionToken: 'r:sub' },
      query: { className: 'Game', where: { a: 1 }, keys: ['a'] },
      source: { type: 'server', serverId: 'srv' },
    });
    assert.equal(querySourceOf('server:srv/sub1', [server('http://app.test:1337/parse/')], [])?.creds.restURL, 'http://app.test:1337/parse');
    assert.equal(querySourceOf('server:srv/gone', [server()], []), undefined);
  });

  it('runs a page subscription on the page socket’s server: a server entry’s REST URL when it is the same server', () => {
    const derived = querySourceOf('pageSocket:sock/1', [], [socket]);
    assert.deepEqual(derived, {
      creds: { restURL: 'http://app.test:1337', applicationId: 'app', javascriptKey: 'page-js', sessionToken: 'r:page' },
      query: { className: 'Note', where: {} },
      source: { type: 'pageSocket', socketId: 'sock', frameId: 3 },
    });
    assert.equal(querySourceOf('pageSocket:sock/2', [], [socket])?.creds.sessionToken, 'r:own', 'the subscription’s own token first');
    assert.equal(querySourceOf('pageSocket:sock/1', [server('http://app.test:1337/parse')], [socket])?.creds.restURL, 'http://app.test:1337/parse');
    assert.equal(querySourceOf('pageSocket:sock/3', [], [socket]), undefined, 'a query not kept cannot be run');
    assert.equal(querySourceOf('pageSocket:sock/1', [], [{ ...socket, applicationId: undefined }]), undefined);
  });

  it('a server spec’s REST URL must be an http(s) URL', () => {
    const spec = { serverURL: 'ws://a', applicationId: 'app' };
    assert.ok(isServerSpec({ ...spec, restURL: 'https://a.test/parse' }));
    assert.ok(isServerSpec(spec));
    assert.ok(!isServerSpec({ ...spec, restURL: 'ws://a.test/parse' }));
    assert.ok(!isServerSpec({ ...spec, restURL: 42 }));
  });
});

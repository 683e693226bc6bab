import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedServer, type EmbeddedServer } from './index.js';

type Json = Record<string, unknown>;

let server: EmbeddedServer;
let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++seq}`;

interface Call {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
  master?: boolean;
  keys?: boolean;
}

async function call(path: string, { method = 'GET', body, headers = {}, token, master, keys = true }: Call = {}): Promise<{ status: number; json: Json; headers: Headers; text: string }> {
  const h: Record<string, string> = { ...headers };
  if (keys) {
    h['X-Parse-Application-Id'] = server.applicationId;
    h[master ? 'X-Parse-Master-Key' : 'X-Parse-JavaScript-Key'] = master ? server.masterKey : server.javascriptKey;
  }
  if (token) h['X-Parse-Session-Token'] = token;
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const response = await fetch(`${server.restURL}${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    json = {};
  }
  return { status: response.status, json, headers: response.headers, text };
}

async function signUp(): Promise<{ objectId: string; sessionToken: string; username: string }> {
  const username = unique('user');
  const { status, json } = await call('/users', { method: 'POST', body: { username, password: 'pw' } });
  assert.equal(status, 201);
  return { objectId: String(json.objectId), sessionToken: String(json.sessionToken), username };
}

before(async () => {
  server = await startEmbeddedServer();
});
after(async () => {
  await server.stop();
});

describe('REST: HTTP layer', () => {
  it('answers CORS preflights and puts CORS headers on every response', async () => {
    const preflight = await fetch(`${server.restURL}/classes/Game`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5000', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 200);
    assert.equal(await preflight.text(), 'OK');
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Parse-Session-Token/);
    const denied = await call('/classes/Game', { keys: false });
    assert.equal(denied.headers.get('access-control-allow-origin'), '*');
  });

  it('rejects a wrong app id or a missing/wrong JavaScript key with 403 unauthorized', async () => {
    const attempts: Record<string, string>[] = [{}, { 'X-Parse-Application-Id': 'lq-app' }, { 'X-Parse-Application-Id': 'lq-app', 'X-Parse-JavaScript-Key': 'no' }, { 'X-Parse-Application-Id': 'x', 'X-Parse-JavaScript-Key': 'lq-js' }];
    for (const headers of attempts) {
      const { status, text } = await call('/classes/Game', { keys: false, headers });
      assert.equal(status, 403);
      assert.equal(text, '{"error":"unauthorized"}');
    }
  });

  it('reads keys, session and method override from a text/plain JSON body, as the JS SDK sends them', async () => {
    const user = await signUp();
    const created = await call('/classes/Game', {
      method: 'POST',
      keys: false,
      headers: { 'Content-Type': 'text/plain' },
      body: { name: 'via-body', _ApplicationId: 'lq-app', _JavaScriptKey: 'lq-js', _SessionToken: user.sessionToken, _ClientVersion: 'js8.6.2', _InstallationId: 'i-1', ACL: { [user.objectId]: { read: true } } },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json), ['objectId', 'createdAt']);
    const found = await call('/classes/Game', {
      method: 'POST',
      keys: false,
      headers: { 'Content-Type': 'text/plain' },
      body: { _method: 'GET', _ApplicationId: 'lq-app', _JavaScriptKey: 'lq-js', _SessionToken: user.sessionToken, where: { name: 'via-body' } },
    });
    assert.equal(found.status, 200);
    assert.equal((found.json.results as Json[]).length, 1);
    assert.equal((found.json.results as Json[])[0].name, 'via-body');
  });

  it('answers bad JSON with 400 {error}, unknown routes with an HTML 404, /health without keys', async () => {
    const bad = await call('/classes/Game', { method: 'POST', body: '{bad json' });
    assert.deepEqual([bad.status, bad.json], [400, { error: "Expected property name or '}' in JSON at position 1" }]);
    const strict = await call('/classes/Game', { method: 'POST', body: '5' });
    assert.deepEqual(strict.json, { error: 'Unexpected token \'5\', "5" is not valid JSON' });
    const missing = await call('/nothing/here');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /<pre>Cannot GET \/parse\/nothing\/here<\/pre>/);
    assert.deepEqual((await call('/health', { keys: false })).json, { status: 'ok' });
  });

  it('serverInfo needs the master key; config answers empty params', async () => {
    assert.deepEqual((await call('/serverInfo')).json, { error: 'Permission denied' });
    assert.equal((await call('/serverInfo', { master: true })).json.parseServerVersion, '9.10.0');
    assert.deepEqual((await call('/config')).json, { params: {} });
  });
});

describe('REST: users and sessions', () => {
  it('signs up, logs in (POST and GET), reads /users/me, logs out', async () => {
    const user = await signUp();
    assert.match(user.sessionToken, /^r:[0-9a-f]{32}$/);
    const login = await call('/login', { method: 'POST', body: { username: user.username, password: 'pw' } });
    assert.equal(login.status, 200);
    assert.equal(login.json.objectId, user.objectId);
    assert.deepEqual(login.json.ACL, { [user.objectId]: { read: true, write: true } });
    assert.equal('password' in login.json || '_hashed_password' in login.json, false);
    const viaGet = await call(`/login?username=${user.username}&password=pw`);
    assert.equal(viaGet.json.objectId, user.objectId);
    const me = await call('/users/me', { token: String(login.json.sessionToken) });
    assert.deepEqual([me.json.objectId, me.json.sessionToken], [user.objectId, login.json.sessionToken]);
    assert.deepEqual((await call('/logout', { method: 'POST', body: {}, token: String(login.json.sessionToken) })).json, {});
    const after = await call('/users/me', { token: String(login.json.sessionToken) });
    assert.deepEqual([after.status, after.json], [400, { code: 209, error: 'Invalid session token' }]);
    assert.deepEqual((await call('/users/me')).json, { code: 209, error: 'Permission denied' });
  });

  it('uses Parse error codes for signup and login mistakes', async () => {
    const user = await signUp();
    const cases: [string, Json, number, Json][] = [
      ['/users', { username: user.username, password: 'x' }, 400, { code: 202, error: 'Account already exists for this username.' }],
      ['/users', { password: 'x' }, 400, { code: 200, error: 'bad or missing username' }],
      ['/users', { username: unique('u') }, 400, { code: 201, error: 'password is required' }],
      ['/users', { username: unique('u'), password: 'x', email: 'nope' }, 400, { code: 125, error: 'Email address format is invalid.' }],
      ['/login', { username: user.username, password: 'wrong' }, 404, { code: 101, error: 'Invalid username/password.' }],
      ['/login', { username: user.username }, 400, { code: 201, error: 'password is required.' }],
      ['/login', { password: 'x' }, 400, { code: 200, error: 'username/email is required.' }],
    ];
    for (const [path, body, status, json] of cases) {
      const answer = await call(path, { method: 'POST', body });
      assert.deepEqual([answer.status, answer.json], [status, json], `${path} ${JSON.stringify(body)}`);
    }
    const email = `${unique('e')}@x.io`;
    await call('/users', { method: 'POST', body: { username: unique('u'), password: 'x', email } });
    const taken = await call('/users', { method: 'POST', body: { username: unique('u'), password: 'x', email: email.toUpperCase() } });
    assert.deepEqual(taken.json, { code: 203, error: 'Account already exists for this email address.' });
  });

  it('users are private to themselves; reading yourself by id returns your session token', async () => {
    const a = await signUp();
    const b = await signUp();
    assert.equal((await call(`/users/${a.objectId}`)).status, 404);
    assert.equal((await call(`/users/${a.objectId}`, { token: b.sessionToken })).status, 404);
    const self = await call(`/users/${a.objectId}`, { token: a.sessionToken });
    assert.equal(self.json.sessionToken, a.sessionToken);
    assert.equal((await call(`/users/${a.objectId}`, { master: true })).json.username, a.username);
  });

  it('an invalid session token fails every request with 209', async () => {
    const answer = await call('/classes/Game', { token: 'r:nope' });
    assert.deepEqual([answer.status, answer.json], [400, { code: 209, error: 'Invalid session token' }]);
  });

  it('/sessions/me returns the current session', async () => {
    const user = await signUp();
    const session = await call('/sessions/me', { token: user.sessionToken });
    assert.deepEqual(session.json.user, { __type: 'Pointer', className: '_User', objectId: user.objectId });
    assert.deepEqual(session.json.createdWith, { action: 'signup', authProvider: 'password' });
  });
});

describe('REST: objects', () => {
  it('creates, gets, updates with __op operators, and deletes', async () => {
    const created = await call('/classes/Item', { method: 'POST', body: { n: 1, tags: ['a'], s: 'x', gone: 1 } });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `${server.restURL}/classes/Item/${created.json.objectId}`);
    const id = String(created.json.objectId);
    const updated = await call(`/classes/Item/${id}`, {
      method: 'PUT',
      body: { n: { __op: 'Increment', amount: 2 }, tags: { __op: 'AddUnique', objects: ['a', 'b'] }, gone: { __op: 'Delete' }, s: 'y' },
    });
    assert.deepEqual(Object.keys(updated.json), ['n', 'tags', 'updatedAt']);
    assert.deepEqual([updated.json.n, updated.json.tags], [3, ['a', 'b']]);
    await call(`/classes/Item/${id}`, { method: 'PUT', body: { tags: { __op: 'Remove', objects: ['a'] }, more: { __op: 'Add', objects: [1, 1] } } });
    const row = (await call(`/classes/Item/${id}`)).json;
    assert.deepEqual([row.n, row.tags, row.more, row.s, 'gone' in row], [3, ['b'], [1, 1], 'y', false]);
    assert.deepEqual((await call(`/classes/Item/${id}`, { method: 'DELETE' })).json, {});
    assert.deepEqual((await call(`/classes/Item/${id}`)).json, { code: 101, error: 'Object not found.' });
  });

  it('enforces field names, schema types and class existence', async () => {
    await call('/classes/Note', { method: 'POST', body: { typed: 1 } });
    const cases: [string, Json, Json][] = [
      ['/classes/Note', { typed: 'one' }, { code: 111, error: 'schema mismatch for Note.typed; expected Number but got String' }],
      ['/classes/Note', { _bad: 1 }, { code: 105, error: 'Invalid field name: _bad.' }],
      ['/classes/Note', { objectId: 'x' }, { code: 105, error: 'objectId is an invalid field name.' }],
      ['/classes/NoSuchClass', { a: 1 }, { code: 119, error: 'Permission denied' }],
      ['/classes/Note', { ACL: 'x' }, { code: -1, error: 'ACL must be a Parse ACL.' }],
    ];
    for (const [path, body, json] of cases) assert.deepEqual((await call(path, { method: 'POST', body })).json, json);
    assert.equal((await call('/classes/NewClass', { method: 'POST', body: { a: 1 }, master: true })).status, 201);
  });

  it('applies ACLs to reads and writes; the master key bypasses them', async () => {
    const owner = await signUp();
    const other = await signUp();
    const acl = { [owner.objectId]: { read: true, write: true }, '*': { read: true } };
    const created = await call('/classes/Game', { method: 'POST', token: owner.sessionToken, body: { secret: 1, ACL: acl } });
    const id = String(created.json.objectId);
    assert.deepEqual((await call(`/classes/Game/${id}`, { token: other.sessionToken })).json.ACL, acl);
    const denied = await call(`/classes/Game/${id}`, { method: 'PUT', token: other.sessionToken, body: { secret: 2 } });
    assert.deepEqual([denied.status, denied.json], [404, { code: 101, error: 'Object not found.' }]);
    const noDelete = await call(`/classes/Game/${id}`, { method: 'DELETE' });
    assert.deepEqual(noDelete.json, { code: 101, error: 'Object not found for delete.' });
    const privateRow = await call('/classes/Game', { method: 'POST', token: owner.sessionToken, body: { hidden: unique('h'), ACL: { [owner.objectId]: { read: true } } } });
    assert.equal((await call(`/classes/Game/${privateRow.json.objectId}`)).status, 404);
    assert.equal((await call(`/classes/Game/${privateRow.json.objectId}`, { master: true })).status, 200);
    assert.equal((await call(`/classes/Game/${id}`, { method: 'PUT', master: true, body: { secret: 3 } })).status, 200);
  });

  it('roles grant what their ACL entries say', async () => {
    const member = await signUp();
    const role = await call('/roles', {
      method: 'POST',
      master: true,
      body: { name: unique('editors'), ACL: { '*': { read: true } }, users: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_User', objectId: member.objectId }] } },
    });
    const name = String((await call(`/roles/${role.json.objectId}`)).json.name);
    const row = await call('/classes/Note', { method: 'POST', body: { forRole: true, ACL: { [`role:${name}`]: { read: true } } } });
    assert.equal((await call(`/classes/Note/${row.json.objectId}`)).status, 404);
    assert.equal((await call(`/classes/Note/${row.json.objectId}`, { token: member.sessionToken })).status, 200);
    const users = await call('/users', { master: true, body: undefined });
    assert.ok((users.json.results as Json[]).length >= 1);
  });

  it('finds with where, order, skip, limit, keys and count', async () => {
    const run = unique('run');
    for (let i = 0; i < 5; i++) {
      await call('/classes/Note', { method: 'POST', body: { run, i, parity: i % 2 ? 'odd' : 'even', ...(i === 0 ? { onlyFirst: true } : {}) } });
    }
    const where = (w: Json, extra = '') => call(`/classes/Note?where=${encodeURIComponent(JSON.stringify({ run, ...w }))}${extra}`);
    const ordered = await where({ i: { $gte: 1 } }, '&order=-i&limit=2&skip=1&keys=i');
    assert.deepEqual((ordered.json.results as Json[]).map((r) => r.i), [3, 2]);
    assert.deepEqual(Object.keys((ordered.json.results as Json[])[0]), ['i', 'objectId', 'createdAt', 'updatedAt']);
    const counted = await where({ parity: 'odd' }, '&count=1&limit=0');
    assert.deepEqual(counted.json, { results: [], count: 2 });
    const multi = await where({}, '&order=parity,-i&keys=i');
    assert.deepEqual((multi.json.results as Json[]).map((r) => r.i), [4, 2, 0, 3, 1]);
    assert.deepEqual(((await where({ onlyFirst: null }, '&order=i&keys=i')).json.results as Json[]).map((r) => r.i), [1, 2, 3, 4]);
    assert.deepEqual(((await where({ onlyFirst: { $ne: null } }, '&keys=i')).json.results as Json[]).map((r) => r.i), [0]);
    assert.deepEqual((await call('/classes/Note?where=notjson')).json, { code: 107, error: 'where parameter is not valid JSON' });
    assert.deepEqual((await call('/classes/Note?bogus=1')).json, { code: 102, error: 'Invalid parameter for query: bogus' });
  });

  it('includes pointed-to objects', async () => {
    const target = await call('/classes/Game', { method: 'POST', body: { title: 'pointed' } });
    const row = await call('/classes/Item', { method: 'POST', body: { game: { __type: 'Pointer', className: 'Game', objectId: target.json.objectId } } });
    const got = await call(`/classes/Item/${row.json.objectId}?include=game`);
    assert.deepEqual([(got.json.game as Json).__type, (got.json.game as Json).title], ['Object', 'pointed']);
  });

  it('runs a batch in order, each item succeeding or failing on its own', async () => {
    const first = await call('/classes/Item', { method: 'POST', body: { b: 0 } });
    const answer = await call('/batch', {
      method: 'POST',
      body: {
        requests: [
          { method: 'POST', path: '/parse/classes/Item', body: { b: 1 } },
          { method: 'PUT', path: `/parse/classes/Item/${first.json.objectId}`, body: { b: { __op: 'Increment', amount: 5 } } },
          { method: 'PUT', path: '/parse/classes/Item/nope', body: { b: 2 } },
          { method: 'DELETE', path: `/parse/classes/Item/${first.json.objectId}` },
        ],
      },
    });
    const results = answer.json as unknown as Json[];
    assert.equal(typeof (results[0].success as Json).objectId, 'string');
    assert.equal((results[1].success as Json).b, 5);
    assert.deepEqual(results[2], { error: { code: 101, error: 'Object not found.' } });
    assert.deepEqual(results[3], { success: {} });
    const badPath = await call('/batch', { method: 'POST', body: { requests: [{ method: 'POST', path: '/classes/Item', body: {} }] } });
    assert.deepEqual(badPath.json, { code: 107, error: 'cannot route batch path /classes/Item' });
  });
});

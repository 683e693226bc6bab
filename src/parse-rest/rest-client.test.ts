import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchRestClient, RestError, restURLFor } from './rest-client.js';

function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { calls, fetchFn };
}

const creds = { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: 'r:s' };

describe('fetchRestClient', () => {
  it('logs in with the Parse headers and returns the session token', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ sessionToken: 'r:new', objectId: 'u1' }));
    const user = await fetchRestClient(fetchFn).logIn(creds, 'alice', 'pw');
    assert.deepEqual(user, { sessionToken: 'r:new', objectId: 'u1', username: 'alice' });
    assert.equal(calls[0]!.url, 'http://a.test/parse/login');
    assert.equal(calls[0]!.init.method, 'POST');
    assert.deepEqual(calls[0]!.init.headers, {
      'X-Parse-Application-Id': 'app',
      'X-Parse-Revocable-Session': '1',
      'X-Parse-JavaScript-Key': 'js',
      'X-Parse-Session-Token': 'r:s',
      'Content-Type': 'application/json',
    });
    assert.equal(calls[0]!.init.body, '{"username":"alice","password":"pw"}');
  });

  it('finds objects with the where and keys as query parameters, in objectId order', async () => {
    const { calls, fetchFn } = fakeFetch((url) => Response.json({ results: url.includes('%24gt') ? [] : [{ objectId: 'a' }] }));
    assert.deepEqual(await fetchRestClient(fetchFn).find(creds, 'Game Score', { score: 1 }, { max: 10, keys: ['score', 'name'] }), { results: [{ objectId: 'a' }], more: false });
    const url = new URL(calls[0]!.url);
    assert.equal(url.pathname, '/parse/classes/Game%20Score');
    assert.deepEqual(Object.fromEntries(url.searchParams), { where: '{"score":1}', limit: '11', order: 'objectId', keys: 'score,name' });
  });

  it('pages through every match after the last objectId, and stops one past the cap to say there are more', async () => {
    const all = Array.from({ length: 2500 }, (_, n) => ({ objectId: `o${String(n).padStart(5, '0')}`, n }));
    const server = (url: string) => {
      const params = new URL(url).searchParams;
      const where = JSON.parse(params.get('where')!) as Record<string, { $gt?: string }> & { $and?: unknown[] };
      const after = where.objectId?.$gt ?? (where.$and?.[1] as { objectId: { $gt: string } } | undefined)?.objectId.$gt ?? '';
      // This server caps `limit` at 300 (as Parse Server's maxLimit does): a short page is not the last one.
      const limit = Math.min(Number(params.get('limit')), 300);
      return Response.json({ results: all.filter((o) => o.objectId > after).slice(0, limit) });
    };
    const paging = fakeFetch(server);
    const everything = await fetchRestClient(paging.fetchFn).find(creds, 'A', { team: 'red' }, { max: 10_000 });
    assert.equal(everything.results.length, 2500);
    assert.equal(everything.more, false);
    assert.deepEqual(everything.results.map((o) => o.n), all.map((o) => o.n));
    assert.equal(paging.calls.length, 10, 'nine capped pages and an empty one');
    assert.deepEqual(JSON.parse(new URL(paging.calls[1]!.url).searchParams.get('where')!), { team: 'red', objectId: { $gt: 'o00299' } });
    const capped = fakeFetch(server);
    const first = await fetchRestClient(capped.fetchFn).find(creds, 'A', { objectId: { $ne: 'x' } }, { max: 1500 });
    assert.deepEqual([first.results.length, first.more], [1500, true]);
    assert.deepEqual(JSON.parse(new URL(capped.calls[1]!.url).searchParams.get('where')!), { $and: [{ objectId: { $ne: 'x' } }, { objectId: { $gt: 'o00299' } }] });
  });

  it('refuses an answer without a results list or with a malformed object', async () => {
    const noList = fakeFetch(() => Response.json({ hello: 1 }));
    await assert.rejects(fetchRestClient(noList.fetchFn).find(creds, 'A', {}, { max: 5 }), /without a results list/);
    const malformed = fakeFetch(() => Response.json({ results: [{ objectId: 'a' }, 'oops'] }));
    await assert.rejects(fetchRestClient(malformed.fetchFn).find(creds, 'A', {}, { max: 5 }), /malformed object \(result 2: "oops"\)/);
  });

  it('says why a call failed: the server’s error, no JSON, or no answer at all', async () => {
    const refusing = fakeFetch(() => Response.json({ code: 101, error: 'Invalid username/password.' }, { status: 404 }));
    await assert.rejects(fetchRestClient(refusing.fetchFn).logIn(creds, 'a', 'b'), /Invalid username\/password\. \(code 101\)/);
    const html = fakeFetch(() => new Response('<html>', { status: 200 }));
    await assert.rejects(fetchRestClient(html.fetchFn).find(creds, 'A', {}, { max: 5 }), /answered 200 without JSON/);
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await assert.rejects(fetchRestClient(down.fetchFn).find(creds, 'A', {}, { max: 5 }), /Cannot reach http:\/\/a\.test\/parse: Failed to fetch/);
    const tokenless = fakeFetch(() => Response.json({ objectId: 'u' }));
    await assert.rejects(fetchRestClient(tokenless.fetchFn).logIn(creds, 'a', 'b'), /without a session token/);
  });

  it('says whose a token is (/users/me) and when its session expires (/sessions/me)', async () => {
    const { calls, fetchFn } = fakeFetch((url) =>
      url.endsWith('/users/me')
        ? Response.json({ objectId: 'u7', username: 'alice', sessionToken: 'r:s' })
        : Response.json({ objectId: 's1', expiresAt: { __type: 'Date', iso: '2027-01-01T00:00:00.000Z' } }),
    );
    assert.deepEqual(await fetchRestClient(fetchFn).me(creds), { objectId: 'u7', username: 'alice', expiresAt: '2027-01-01T00:00:00.000Z' });
    assert.deepEqual(calls.map((c) => [c.url, (c.init.headers as Record<string, string>)['X-Parse-Session-Token']]), [
      ['http://a.test/parse/users/me', 'r:s'],
      ['http://a.test/parse/sessions/me', 'r:s'],
    ]);
    const noSessions = fakeFetch((url) => (url.endsWith('/users/me') ? Response.json({ objectId: 'u7', username: 'alice' }) : new Response('nope', { status: 404 })));
    assert.deepEqual(await fetchRestClient(noSessions.fetchFn).me(creds), { objectId: 'u7', username: 'alice' });
    const revoked = fakeFetch(() => Response.json({ code: 209, error: 'Invalid session token' }, { status: 400 }));
    const error = await fetchRestClient(revoked.fetchFn).me(creds).catch((e: unknown) => e);
    assert.ok(error instanceof RestError);
    assert.deepEqual([error.message, error.status, error.code], ['Invalid session token (code 209)', 400, 209]);
  });

  it('gets one object by class and id (escaped), and says 404/101 with its code', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ objectId: 'x/1', text: 'hi' }));
    assert.deepEqual(await fetchRestClient(fetchFn).getObject(creds, 'Game Score', 'x/1'), { objectId: 'x/1', text: 'hi' });
    assert.equal(calls[0]!.url, 'http://a.test/parse/classes/Game%20Score/x%2F1');
    assert.equal((calls[0]!.init.headers as Record<string, string>)['X-Parse-Session-Token'], 'r:s');
    const missing = fakeFetch(() => Response.json({ code: 101, error: 'Object not found.' }, { status: 404 }));
    const error = await fetchRestClient(missing.fetchFn).getObject(creds, 'A', 'nope').catch((e: unknown) => e);
    assert.ok(error instanceof RestError);
    assert.deepEqual([error.status, error.code], [404, 101]);
    const notParse = fakeFetch(() => Response.json({ hello: 1 }));
    await assert.rejects(fetchRestClient(notParse.fetchFn).getObject(creds, 'A', 'x'), /answered without an object/);
  });

  it('finds a user’s direct roles (users = the user) and the roles that contain given roles (roles $in)', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ results: [{ objectId: 'r1', name: 'mods' }, { objectId: 'r2' }, 'junk'] }));
    const rest = fetchRestClient(fetchFn);
    assert.deepEqual(await rest.rolesWithUser(creds, 'u7'), [{ objectId: 'r1', name: 'mods' }], 'malformed roles are left out');
    const direct = new URL(calls[0]!.url);
    assert.equal(direct.pathname, '/parse/classes/_Role');
    assert.deepEqual(JSON.parse(direct.searchParams.get('where')!), { users: { __type: 'Pointer', className: '_User', objectId: 'u7' } });
    assert.equal(direct.searchParams.get('keys'), 'name');
    await rest.rolesContaining(creds, ['r1', 'r3']);
    assert.deepEqual(JSON.parse(new URL(calls[1]!.url).searchParams.get('where')!), {
      roles: { $in: [{ __type: 'Pointer', className: '_Role', objectId: 'r1' }, { __type: 'Pointer', className: '_Role', objectId: 'r3' }] },
    });
    assert.deepEqual(await rest.rolesContaining(creds, []), []);
    assert.equal(calls.length, 2, 'no request for no roles');
    const forbidden = fakeFetch(() => Response.json({ code: 119, error: 'Permission denied for action find on class _Role.' }, { status: 400 }));
    await assert.rejects(fetchRestClient(forbidden.fetchFn).rolesWithUser(creds, 'u7'), /Permission denied.*\(code 119\)/);
  });

  it('reads a class’s class-level permissions from its schema', async () => {
    const clp = { find: { '*': true }, readUserFields: ['owner'] };
    const { calls, fetchFn } = fakeFetch(() => Response.json({ className: 'Game Score', fields: {}, classLevelPermissions: clp }));
    assert.deepEqual(await fetchRestClient(fetchFn).classPermissions({ ...creds, masterKey: 'mk' }, 'Game Score'), clp);
    assert.equal(calls[0]!.url, 'http://a.test/parse/schemas/Game%20Score');
    const none = fakeFetch(() => Response.json({ className: 'A', fields: {} }));
    assert.equal(await fetchRestClient(none.fetchFn).classPermissions(creds, 'A'), undefined);
    const missing = fakeFetch(() => Response.json({ code: 103, error: 'Class A does not exist.' }, { status: 400 }));
    await assert.rejects(fetchRestClient(missing.fetchFn).classPermissions(creds, 'A'), /Class A does not exist\. \(code 103\)/);
  });

  it('creates, saves and deletes an object with the master key (the fan-out check’s write)', async () => {
    const { calls, fetchFn } = fakeFetch((_url, init) => Response.json(init.method === 'POST' ? { objectId: 'o1', createdAt: 'x' } : {}));
    const rest = fetchRestClient(fetchFn);
    const master = { restURL: 'http://a.test/parse', applicationId: 'app', masterKey: 'mk' };
    assert.deepEqual(await rest.createObject(master, 'Game Score', { room: 'lobby' }), { objectId: 'o1' });
    await rest.updateObject(master, 'Game Score', 'o1', { room: 'lobby' });
    await rest.deleteObject(master, 'Game Score', 'o1');
    assert.deepEqual(
      calls.map((c) => [c.init.method, c.url, c.init.body, (c.init.headers as Record<string, string>)['X-Parse-Master-Key']]),
      [
        ['POST', 'http://a.test/parse/classes/Game%20Score', '{"room":"lobby"}', 'mk'],
        ['PUT', 'http://a.test/parse/classes/Game%20Score/o1', '{"room":"lobby"}', 'mk'],
        ['DELETE', 'http://a.test/parse/classes/Game%20Score/o1', undefined, 'mk'],
      ],
    );
    await assert.rejects(fetchRestClient(fakeFetch(() => Response.json({})).fetchFn).createObject(master, 'A', {}), /without an objectId/);
  });

  it('maps a LiveQuery URL to its REST root', () => {
    assert.equal(restURLFor('wss://a.test/parse/'), 'https://a.test/parse');
    assert.equal(restURLFor('ws://a.test:1337/parse'), 'http://a.test:1337/parse');
  });

  it('reads a class schema with the master key, says when the class does not exist, and refuses without the key', async () => {
    const schemaAnswer = { className: 'Game', fields: { objectId: { type: 'String' }, when: { type: 'Date' } } };
    const { calls, fetchFn } = fakeFetch((url) =>
      url.endsWith('/Nope') ? Response.json({ code: 103, error: 'Class Nope does not exist.' }, { status: 400 }) : Response.json(schemaAnswer),
    );
    const client = fetchRestClient(fetchFn);
    const withKey = { ...creds, masterKey: 'mk' };
    assert.deepEqual(await client.schema(withKey, 'Game'), { source: 'schema', types: { objectId: 'String', when: 'Date' } });
    assert.equal(calls[0]!.url, 'http://a.test/parse/schemas/Game');
    assert.equal((calls[0]!.init.headers as Record<string, string>)['X-Parse-Master-Key'], 'mk');
    assert.deepEqual(await client.schema(withKey, 'Nope'), { source: 'no-class' });
    await assert.rejects(client.schema(creds, 'Game'), /needs the master key/);
    assert.equal(calls.length, 2, 'no request without the master key');
    const denied = fakeFetch(() => Response.json({ error: 'unauthorized' }, { status: 403 }));
    await assert.rejects(fetchRestClient(denied.fetchFn).schema(withKey, 'Game'), (e: RestError) => e.status === 403 && /unauthorized/.test(e.message));
    const notSchema = fakeFetch(() => Response.json({ results: [] }));
    await assert.rejects(fetchRestClient(notSchema.fetchFn).schema(withKey, 'Game'), /answered without fields/);
  });
});

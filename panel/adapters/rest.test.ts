import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchRestClient, restURLFor } from './rest.js';

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

  it('finds objects with the where as a query parameter', async () => {
    const { calls, fetchFn } = fakeFetch(() => Response.json({ results: [{ objectId: 'a' }] }));
    assert.deepEqual(await fetchRestClient(fetchFn).find(creds, 'Game Score', { score: 1 }), [{ objectId: 'a' }]);
    assert.equal(calls[0]!.url, 'http://a.test/parse/classes/Game%20Score?where=%7B%22score%22%3A1%7D&limit=100');
  });

  it('says why a call failed: the server’s error, no JSON, or no answer at all', async () => {
    const refusing = fakeFetch(() => Response.json({ code: 101, error: 'Invalid username/password.' }, { status: 404 }));
    await assert.rejects(fetchRestClient(refusing.fetchFn).logIn(creds, 'a', 'b'), /Invalid username\/password\. \(code 101\)/);
    const html = fakeFetch(() => new Response('<html>', { status: 200 }));
    await assert.rejects(fetchRestClient(html.fetchFn).find(creds, 'A', {}), /answered 200 without JSON/);
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await assert.rejects(fetchRestClient(down.fetchFn).find(creds, 'A', {}), /Cannot reach http:\/\/a\.test\/parse: Failed to fetch/);
    const tokenless = fakeFetch(() => Response.json({ objectId: 'u' }));
    await assert.rejects(fetchRestClient(tokenless.fetchFn).logIn(creds, 'a', 'b'), /without a session token/);
  });

  it('maps a LiveQuery URL to its REST root', () => {
    assert.equal(restURLFor('wss://a.test/parse/'), 'https://a.test/parse');
    assert.equal(restURLFor('ws://a.test:1337/parse'), 'http://a.test:1337/parse');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakePage, fakePort, fakeRest } from './fakes.js';
import { createKeyringStore, serverKeyOf } from './keyring.js';

const spec = { serverURL: 'ws://a.test/parse', applicationId: 'app', javascriptKey: 'js' };
const serverKey = serverKeyOf(spec);

function setup() {
  const port = fakePort();
  const rest = fakeRest();
  let n = 0;
  const keyring = createKeyringStore({
    port,
    rest,
    page: fakePage({ sessionToken: 'r:page', username: 'carol', objectId: 'u3' }),
    newId: () => `id${++n}`,
  });
  return { keyring, port, rest };
}

describe('createKeyringStore', () => {
  it('sends the service worker commands (it owns the keyring) and shows the keyring it sends back', async () => {
    const { keyring, port } = setup();
    const entry = await keyring.addPasted(serverKey, ' alice ', ' r:alice ');
    assert.deepEqual(entry, { id: 'id1', serverKey, name: 'alice', token: 'r:alice', origin: 'pasted' });
    await keyring.remove('id1');
    await keyring.setPersisted(true);
    assert.deepEqual(port.commands, [
      { type: 'keyringAdd', entry },
      { type: 'keyringRemove', id: 'id1' },
      { type: 'keyringSetPersisted', persisted: true },
    ]);
    assert.deepEqual(keyring.entries.value, [], 'nothing shown until the service worker sends it');
    keyring.receive({ entries: [entry], persisted: true });
    assert.deepEqual(keyring.entries.value, [entry]);
    assert.equal(keyring.persisted.value, true);
  });

  it('rejects what the service worker would refuse, and passes on its errors', async () => {
    const { keyring, port } = setup();
    await assert.rejects(keyring.addPasted(serverKey, ' ', 'r:x'), /A name and a token are needed/);
    await assert.rejects(keyring.addPasted(serverKey, 'alice', 'r:'.padEnd(9000, 'x')), /cannot be kept/);
    assert.equal(port.commands.length, 0);
    port.nextError = 'The keyring could not be saved: QuotaExceededError';
    await assert.rejects(keyring.setPersisted(true), /could not be saved/);
  });

  it('names tokens for display from the keyring it shows', () => {
    const { keyring } = setup();
    keyring.receive({
      entries: [
        { id: 'a', serverKey, name: 'alice', token: 'r:2', origin: 'pasted' },
        { id: 'b', serverKey: 'other|app', name: 'alice', token: 'r:other', origin: 'pasted' },
      ],
      persisted: false,
    });
    assert.deepEqual(keyring.forServer(serverKey).map((e) => e.token), ['r:2']);
    assert.equal(keyring.nameOf(serverKey, 'r:2'), 'alice');
    assert.equal(keyring.nameOf(serverKey, 'r:other'), 'custom token');
    assert.equal(keyring.nameOf(serverKey, undefined), 'anonymous');
  });

  it('logs in through REST and keeps the session token under the given name or the username', async () => {
    const { keyring, rest, port } = setup();
    const entry = await keyring.logIn({ ...spec, restURL: 'http://a.test/parse//' }, { username: ' alice ', password: 'pw', name: '' });
    assert.deepEqual(rest.calls, [{ creds: { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js' }, what: 'login alice/pw' }]);
    assert.deepEqual(entry, { id: 'id1', serverKey, name: 'alice', token: 'r:login', origin: 'login', username: 'alice', userId: 'u1' });
    assert.equal((await keyring.logIn({ ...spec, restURL: 'http://a.test/parse' }, { username: 'alice', password: 'pw', name: 'admin' })).name, 'admin');
    rest.user = new Error('Invalid username/password. (code 101)');
    await assert.rejects(keyring.logIn({ ...spec, restURL: 'http://a.test/parse' }, { username: 'alice', password: 'no', name: '' }), /code 101/);
    assert.equal(port.commands.length, 2);
  });

  it('imports the inspected page’s current user', async () => {
    const { keyring } = setup();
    const entry = await keyring.importFromPage(spec);
    assert.deepEqual(entry, { id: 'id1', serverKey, name: 'carol (page)', token: 'r:page', origin: 'page', username: 'carol', userId: 'u3' });
  });
});

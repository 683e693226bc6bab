import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakePage, fakeRest, memoryStorage, settle } from './fakes.js';
import { createKeyringStore, serverKeyOf } from './keyring.js';

const spec = { serverURL: 'ws://a.test/parse', applicationId: 'app', javascriptKey: 'js' };
const serverKey = serverKeyOf(spec);

function setup(options: { local?: Record<string, unknown>; session?: Record<string, unknown> } = {}) {
  const local = memoryStorage(options.local);
  const session = memoryStorage(options.session);
  const rest = fakeRest();
  let n = 0;
  const keyring = createKeyringStore({
    local,
    session,
    rest,
    page: fakePage({ sessionToken: 'r:page', username: 'carol', objectId: 'u3' }),
    newId: () => `id${++n}`,
  });
  return { keyring, local, session, rest };
}

describe('createKeyringStore', () => {
  it('keeps tokens in storage.session until the user asks to remember them, then in storage.local', async () => {
    const { keyring, local, session } = setup();
    keyring.addPasted(serverKey, ' alice ', ' r:alice ');
    await settle();
    assert.deepEqual(session.items.get('keyring'), [{ id: 'id1', serverKey, name: 'alice', token: 'r:alice', origin: 'pasted' }]);
    assert.equal(local.items.has('keyring'), false);
    keyring.setPersisted(true);
    await settle();
    assert.equal(local.items.get('keyringPersisted'), true);
    assert.equal((local.items.get('keyring') as unknown[]).length, 1);
    assert.equal(session.items.has('keyring'), false);
  });

  it('loads from the area the user chose, without malformed entries', async () => {
    const entry = { id: 'x', serverKey, name: 'bob', token: 'r:bob', origin: 'login' };
    const remembered = setup({ local: { keyringPersisted: true, keyring: [entry, { id: 1 }] }, session: { keyring: [] } });
    await remembered.keyring.load();
    assert.equal(remembered.keyring.persisted.value, true);
    assert.deepEqual(remembered.keyring.entries.value, [entry]);
    const sessionOnly = setup({ local: { keyring: [entry] }, session: { keyring: [{ ...entry, name: 'session bob' }] } });
    await sessionOnly.keyring.load();
    assert.deepEqual(sessionOnly.keyring.entries.value.map((e) => e.name), ['session bob']);
    const broken = setup();
    broken.local.broken = true;
    await broken.keyring.load();
    assert.deepEqual(broken.keyring.entries.value, []);
  });

  it('replaces a token of the same name on the same server; names tokens for display', () => {
    const { keyring } = setup();
    keyring.addPasted(serverKey, 'alice', 'r:1');
    keyring.addPasted('other|app', 'alice', 'r:other');
    keyring.addPasted(serverKey, 'alice', 'r:2');
    assert.deepEqual(keyring.forServer(serverKey).map((e) => e.token), ['r:2']);
    assert.equal(keyring.nameOf(serverKey, 'r:2'), 'alice');
    assert.equal(keyring.nameOf(serverKey, 'r:1'), 'custom token');
    assert.equal(keyring.nameOf(serverKey, undefined), 'anonymous');
    assert.throws(() => keyring.addPasted(serverKey, ' ', 'r:x'), /A name and a token are needed/);
    keyring.remove(keyring.forServer(serverKey)[0]!.id);
    assert.equal(keyring.forServer(serverKey).length, 0);
  });

  it('logs in through REST and keeps the session token under the given name or the username', async () => {
    const { keyring, rest } = setup();
    const entry = await keyring.logIn(spec, { restURL: 'http://a.test/parse//', username: ' alice ', password: 'pw', name: '' });
    assert.deepEqual(rest.calls, [{ creds: { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js' }, what: 'login alice/pw' }]);
    assert.deepEqual(entry, { id: 'id1', serverKey, name: 'alice', token: 'r:login', origin: 'login', username: 'alice', userId: 'u1' });
    assert.equal((await keyring.logIn(spec, { restURL: 'http://a.test/parse', username: 'alice', password: 'pw', name: 'admin' })).name, 'admin');
    rest.user = new Error('Invalid username/password. (code 101)');
    await assert.rejects(keyring.logIn(spec, { restURL: 'http://a.test/parse', username: 'alice', password: 'no', name: '' }), /code 101/);
    assert.equal(keyring.entries.value.length, 2);
  });

  it('imports the inspected page’s current user', async () => {
    const { keyring } = setup();
    const entry = await keyring.importFromPage(spec);
    assert.deepEqual(entry, { id: 'id1', serverKey, name: 'carol (page)', token: 'r:page', origin: 'page', username: 'carol', userId: 'u3' });
  });
});

// Two (and three) panels against the one keyring owner, through the messages a real port carries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakePage, fakeRest, settle } from '../../panel/store/fakes.js';
import { createKeyringStore } from '../../panel/store/keyring.js';
import { memoryArea, memoryVault } from './fakes.js';
import { connectPanel } from './fakes.js';
import { KeyringOwner } from './keyring-owner.js';
import { KeyringPorts } from './keyring-ports.js';

const serverKey = 'ws://a.test/parse|app';

function setup() {
  const storage = { vault: memoryVault(), session: memoryArea(), legacy: memoryArea() };
  const hub = new KeyringPorts(new KeyringOwner(storage));
  let ids = 0;
  /** A panel as panel.tsx makes it: its keyring store, fed by the messages of its port. */
  const openPanel = (tabId: number, options: { hello?: boolean } = {}) => {
    let keyring: ReturnType<typeof createKeyringStore> | undefined;
    const port = connectPanel(hub, tabId, (message) => {
      if (message.type === 'keyring') keyring?.receive(message.keyring);
    });
    keyring = createKeyringStore({ port, rest: fakeRest(), page: fakePage(new Error('no page')), newId: () => `id${++ids}` });
    if (options.hello !== false) port.hello();
    return { keyring, port, names: () => keyring.entries.value.map((e) => e.name) };
  };
  /** Every token the extension keeps, wherever it keeps it. */
  const stored = () => ({
    session: storage.session.items.get('keyring') as { name: string }[] | undefined,
    vault: storage.vault.stored as { name: string }[] | undefined,
    local: [...storage.legacy.items.keys()],
  });
  return { storage, openPanel, stored };
}

describe('KeyringPorts: one keyring for every panel', () => {
  it('panel A turns Remember off and forgets a token, panel B adds one: storage holds exactly what both show', async () => {
    const { openPanel, stored } = setup();
    const a = openPanel(1);
    const b = openPanel(2);
    await settle();

    await a.keyring.setPersisted(true);
    await a.keyring.addPasted(serverKey, 'alice', 'r:alice');
    await a.keyring.addPasted(serverKey, 'bob', 'r:bob');
    assert.deepEqual(b.names(), ['alice', 'bob'], 'B shows what A added as soon as A’s command is done');
    assert.equal(b.keyring.persisted.value, true);

    await a.keyring.setPersisted(false);
    await a.keyring.remove(a.keyring.entries.value.find((e) => e.name === 'alice')!.id);
    assert.deepEqual(b.names(), ['bob']);
    assert.equal(b.keyring.persisted.value, false, 'B shows Remember off');

    await b.keyring.addPasted(serverKey, 'carol', 'r:carol');
    for (const panel of [a, b]) {
      assert.deepEqual(panel.names(), ['bob', 'carol']);
      assert.equal(panel.keyring.persisted.value, false);
    }
    const now = stored();
    assert.deepEqual(now.session?.map((e) => e.name), ['bob', 'carol'], 'the session area holds what the panels show');
    assert.equal(now.vault, undefined, 'nothing remembered');
    assert.deepEqual(now.local, [], 'nothing in storage.local');

    const c = openPanel(3);
    await settle();
    assert.deepEqual(c.names(), ['bob', 'carol'], 'a panel opened later gets the keyring in answer to its hello');
  });

  it('a closed panel is no longer written to; a command before hello is not run', async () => {
    const { openPanel, stored } = setup();
    const a = openPanel(1);
    const b = openPanel(2);
    await settle();
    b.port.disconnect();
    await a.keyring.addPasted(serverKey, 'alice', 'r:alice');
    assert.deepEqual(b.names(), [], 'B was closed');
    assert.deepEqual(stored().session?.map((e) => e.name), ['alice']);

    const early = openPanel(3, { hello: false });
    void early.keyring.addPasted(serverKey, 'mallory', 'r:mallory');
    await settle();
    assert.deepEqual(stored().session?.map((e) => e.name), ['alice']);
    assert.deepEqual(a.names(), ['alice']);
  });

  it('rejects with the owner’s message when a command fails, and the panels keep what is in force', async () => {
    const { openPanel, storage } = setup();
    const a = openPanel(1);
    await settle();
    await a.keyring.addPasted(serverKey, 'alice', 'r:alice');
    storage.vault.refuseWrites = true;
    await assert.rejects(a.keyring.setPersisted(true), /could not be saved/);
    assert.equal(a.keyring.persisted.value, false);
    await assert.rejects(a.keyring.addPasted(serverKey, 'x'.repeat(300), 'r:x'), /cannot be kept/);
  });
});

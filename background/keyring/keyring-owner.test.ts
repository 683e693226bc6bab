import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyringView, TokenEntry } from '../../src/keyring.js';
import { memoryArea, memoryVault } from './fakes.js';
import { KeyringOwner } from './keyring-owner.js';

const serverKey = 'ws://a.test/parse|app';
const entry = (name: string, extra: Partial<TokenEntry> = {}): TokenEntry => ({
  id: `id-${name}`,
  serverKey,
  name,
  token: `r:${name}`,
  origin: 'pasted',
  ...extra,
});

function setup(options: { local?: Record<string, unknown>; session?: Record<string, unknown>; vault?: unknown } = {}) {
  const storage = { vault: memoryVault(options.vault), session: memoryArea(options.session), legacy: memoryArea(options.local) };
  const logged: string[] = [];
  const owner = new KeyringOwner(storage, (what) => logged.push(what));
  const changes: KeyringView[] = [];
  owner.subscribe((view) => changes.push(view));
  let n = 0;
  const run = {
    add: (e: TokenEntry) => owner.run({ type: 'keyringAdd', commandId: `c${++n}`, entry: e }),
    remove: (id: string) => owner.run({ type: 'keyringRemove', commandId: `c${++n}`, id }),
    remember: (persisted: boolean) => owner.run({ type: 'keyringSetPersisted', commandId: `c${++n}`, persisted }),
  };
  return { owner, storage, changes, run, logged };
}

describe('KeyringOwner', () => {
  it('keeps tokens in storage.session until the user remembers them, then in the vault; never in storage.local', async () => {
    const { owner, storage, changes, run } = setup();
    await run.add(entry('alice'));
    assert.deepEqual(storage.session.items.get('keyring'), [entry('alice')]);
    assert.equal(storage.vault.stored, undefined);

    await run.remember(true);
    assert.deepEqual(storage.vault.stored, [entry('alice')]);
    assert.equal(storage.session.items.has('keyring'), false);
    await run.add(entry('bob'));
    assert.deepEqual(storage.vault.stored, [entry('alice'), entry('bob')]);

    await run.remember(false);
    assert.equal(storage.vault.stored, undefined, 'Remember off forgets the remembered copy');
    assert.deepEqual(storage.session.items.get('keyring'), [entry('alice'), entry('bob')]);
    assert.equal(storage.legacy.items.size, 0, 'nothing in storage.local');
    assert.deepEqual(await owner.current(), { entries: [entry('alice'), entry('bob')], persisted: false });
    assert.deepEqual(
      changes.map((c) => [c.entries.map((e) => e.name), c.persisted]),
      [[['alice'], false], [['alice'], true], [['alice', 'bob'], true], [['alice', 'bob'], false]],
    );
  });

  it('applies commands in the order they came, each from the state the previous one left', async () => {
    const { owner, storage, run } = setup();
    // Not awaited one by one: two panels sending at once.
    await Promise.all([run.remember(true), run.add(entry('alice')), run.add(entry('bob')), run.remember(false), run.remove('id-alice'), run.add(entry('carol'))]);
    assert.deepEqual(await owner.current(), { entries: [entry('bob'), entry('carol')], persisted: false });
    assert.deepEqual(storage.session.items.get('keyring'), [entry('bob'), entry('carol')]);
    assert.equal(storage.vault.stored, undefined);
  });

  it('replaces a token of the same server and name; refuses more than the keyring holds', async () => {
    const { owner, run } = setup();
    await run.add(entry('alice'));
    await run.add(entry('alice', { id: 'other', token: 'r:new' }));
    assert.deepEqual((await owner.current()).entries, [entry('alice', { id: 'other', token: 'r:new' })]);
    for (let i = 0; i < 499; i++) await run.add(entry(`u${i}`));
    await assert.rejects(run.add(entry('one too many')), /The keyring is full \(500 tokens\)/);
    assert.equal((await owner.current()).entries.length, 500);
  });

  it('keeps the keyring in force when it cannot be saved, and says so', async () => {
    const { owner, storage, changes, run } = setup();
    await run.add(entry('alice'));
    storage.vault.refuseWrites = true;
    await assert.rejects(run.remember(true), /The keyring could not be saved: QuotaExceededError/);
    assert.deepEqual(await owner.current(), { entries: [entry('alice')], persisted: false });
    assert.equal(changes.length, 1, 'no change announced');
    storage.vault.refuseWrites = false;
    await run.remember(true);
    assert.deepEqual(storage.vault.stored, [entry('alice')]);
  });

  it('loads the remembered keyring first, else the session one, leaving out malformed entries', async () => {
    const remembered = setup({ vault: [entry('alice'), { id: 1 }], session: { keyring: [entry('stale')] } });
    assert.deepEqual(await remembered.owner.current(), { entries: [entry('alice')], persisted: true });
    const sessionOnly = setup({ session: { keyring: [entry('bob'), 'junk'] } });
    assert.deepEqual(await sessionOnly.owner.current(), { entries: [entry('bob')], persisted: false });
    const broken = setup();
    broken.storage.session.broken = true;
    broken.storage.legacy.broken = true;
    assert.deepEqual(await broken.owner.current(), { entries: [], persisted: false });
    assert.deepEqual(broken.logged, ['cannot move the keyring out of storage.local', 'cannot read the keyring']);
  });
});

describe('KeyringOwner: moving the keyring out of storage.local (earlier versions kept it there)', () => {
  it('moves a remembered keyring to the vault once and deletes the old keys', async () => {
    const local = { keyring: [entry('alice'), { junk: true }], keyringPersisted: true, 'liveQueryDevtools.watching': true, panelSettings: {} };
    const { owner, storage } = setup({ local });
    assert.deepEqual(await owner.current(), { entries: [entry('alice')], persisted: true });
    assert.deepEqual(storage.vault.stored, [entry('alice')]);
    assert.deepEqual([...storage.legacy.items.keys()], ['liveQueryDevtools.watching', 'panelSettings'], 'other keys stay');

    // The next start of the service worker finds nothing to move and the same keyring.
    const again = new KeyringOwner(storage);
    assert.deepEqual(await again.current(), { entries: [entry('alice')], persisted: true });
  });

  it('keeps what the vault already has (a move interrupted after its write) and still deletes the old keys', async () => {
    const { owner, storage } = setup({ vault: [entry('bob')], local: { keyring: [entry('alice')], keyringPersisted: true } });
    assert.deepEqual(await owner.current(), { entries: [entry('bob')], persisted: true });
    assert.equal(storage.legacy.items.size, 0);
  });

  it('drops a copy left in storage.local while Remember was off: it was never the user’s choice', async () => {
    const { owner, storage } = setup({
      local: { keyring: [entry('forgotten'), entry('bob')], keyringPersisted: false },
      session: { keyring: [entry('bob')] },
    });
    assert.deepEqual(await owner.current(), { entries: [entry('bob')], persisted: false });
    assert.equal(storage.vault.stored, undefined);
    assert.equal(storage.legacy.items.size, 0);
  });

  it('remembers an empty keyring when that was the choice', async () => {
    const { owner, storage } = setup({ local: { keyringPersisted: true } });
    assert.deepEqual(await owner.current(), { entries: [], persisted: true });
    assert.deepEqual(storage.vault.stored, []);
    assert.equal(storage.legacy.items.size, 0);
  });
});

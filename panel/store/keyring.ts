// Named session tokens per server (alice, bob, …): pasted, from a REST login or from the page's current user. The
// service worker owns the keyring (one for every panel in every tab); this store shows its latest copy and sends it
// commands, and never writes storage itself.

import { batch, signal } from '@preact/signals';
import { isTokenEntry, serverKeyOf, type KeyringView, type TokenEntry } from '../../src/keyring.js';
import type { ServerSpec } from '../../src/views.js';
import type { InspectedPage } from '../adapters/inspected-page.js';
import type { PanelPort } from '../adapters/port.js';
import { restURLOf, type RestClient } from '../../src/parse-rest/rest-client.js';

export { serverKeyOf, type TokenEntry };

export interface KeyringDeps {
  /** Runs a keyring command on the service worker; resolves once this panel has been sent the changed keyring. */
  port: Pick<PanelPort, 'run'>;
  rest: RestClient;
  page: InspectedPage;
  newId?: () => string;
}

export interface LoginForm {
  username: string;
  password: string;
  /** The entry's name; the username when empty. */
  name: string;
}

export function createKeyringStore({ port, rest, page, newId = () => crypto.randomUUID() }: KeyringDeps) {
  const entries = signal<TokenEntry[]>([]);
  /** Whether the service worker keeps the keyring after the browser restarts ("Remember tokens"). */
  const persisted = signal(false);

  /** Adds or replaces (same server and name) a token. */
  async function add(entry: Omit<TokenEntry, 'id'>): Promise<TokenEntry> {
    const full: TokenEntry = { ...entry, id: newId() };
    // The service worker drops an invalid message without an answer: say here what is wrong.
    if (!isTokenEntry(full)) throw new Error('This token cannot be kept: its name, token or user is empty or far too long');
    await port.run({ type: 'keyringAdd', entry: full });
    return full;
  }

  return {
    entries,
    persisted,
    /** The keyring as the service worker sent it (on connect and after every change, from any panel). */
    receive(view: KeyringView): void {
      batch(() => {
        entries.value = view.entries;
        persisted.value = view.persisted;
      });
    },
    forServer(serverKey: string): TokenEntry[] {
      return entries.value.filter((e) => e.serverKey === serverKey);
    },
    add,
    /** A pasted token under a name; rejects an empty name or token. */
    async addPasted(serverKey: string, name: string, token: string): Promise<TokenEntry> {
      if (!name.trim() || !token.trim()) throw new Error('A name and a token are needed');
      return add({ serverKey, name: name.trim(), token: token.trim(), origin: 'pasted' });
    },
    /** Logs in through the server's REST API (its entry's REST URL) and keeps the session token it returns. */
    async logIn(spec: ServerSpec, form: LoginForm): Promise<TokenEntry> {
      const user = await rest.logIn(
        { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey },
        form.username.trim(),
        form.password,
      );
      return add({
        serverKey: serverKeyOf(spec),
        name: form.name.trim() || user.username,
        token: user.sessionToken,
        origin: 'login',
        username: user.username,
        userId: user.objectId,
      });
    },
    /** Keeps the inspected page's current Parse user's token, named after the user. */
    async importFromPage(spec: ServerSpec): Promise<TokenEntry> {
      const user = await page.currentUser(spec.applicationId);
      return add({
        serverKey: serverKeyOf(spec),
        name: user.username ? `${user.username} (page)` : 'page user',
        token: user.sessionToken,
        origin: 'page',
        username: user.username,
        userId: user.objectId,
      });
    },
    remove(id: string): Promise<void> {
      return port.run({ type: 'keyringRemove', id });
    },
    /** Remember tokens (kept across browser restarts) or not (gone when the browser closes), for every panel. */
    setPersisted(value: boolean): Promise<void> {
      return port.run({ type: 'keyringSetPersisted', persisted: value });
    },
    /** The keyring name of a token, for display (never the token itself). */
    nameOf(serverKey: string, token: string | undefined): string {
      if (!token) return 'anonymous';
      return entries.value.find((e) => e.serverKey === serverKey && e.token === token)?.name ?? 'custom token';
    },
  };
}

export type KeyringStore = ReturnType<typeof createKeyringStore>;

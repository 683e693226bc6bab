// Named session tokens per server (alice, bob, …): pasted, from a REST login or from the page's current user; kept in
// storage.session, or storage.local when the user opts in.

import { signal } from '@preact/signals';
import type { ServerSpec } from '../../src/views.js';
import type { InspectedPage } from '../adapters/inspected-page.js';
import type { RestClient } from '../adapters/rest.js';
import type { StorageArea } from '../adapters/storage.js';

export interface TokenEntry {
  id: string;
  /** Which server the token belongs to: `<serverURL>|<applicationId>`. */
  serverKey: string;
  name: string;
  token: string;
  origin: 'pasted' | 'login' | 'page';
  username?: string;
  userId?: string;
}

const KEY = 'keyring';
const PERSIST_KEY = 'keyringPersisted';

export const serverKeyOf = (spec: { serverURL: string; applicationId: string }) => `${spec.serverURL}|${spec.applicationId}`;

function isEntry(value: unknown): value is TokenEntry {
  const v = value as TokenEntry;
  return (
    typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.serverKey === 'string' &&
    typeof v.name === 'string' && typeof v.token === 'string' && ['pasted', 'login', 'page'].includes(v.origin)
  );
}

export interface KeyringDeps {
  /** Where the keyring goes when the user asks to remember tokens. */
  local: StorageArea;
  /** Where it goes otherwise: gone when the browser closes. */
  session: StorageArea;
  rest: RestClient;
  page: InspectedPage;
  newId?: () => string;
}

export interface LoginForm {
  restURL: string;
  username: string;
  password: string;
  /** The entry's name; the username when empty. */
  name: string;
}

export function createKeyringStore({ local, session, rest, page, newId = () => crypto.randomUUID().slice(0, 8) }: KeyringDeps) {
  const entries = signal<TokenEntry[]>([]);
  /** When true the keyring is written to storage.local and survives a browser restart. */
  const persisted = signal(false);

  function save(): void {
    const data = { [KEY]: entries.value };
    const write = persisted.value
      ? Promise.all([local.set(data), session.remove([KEY])])
      : Promise.all([session.set(data), local.remove([KEY])]);
    write.catch(() => undefined);
  }

  /** Adds or replaces (same server and name) a token. */
  function add(entry: Omit<TokenEntry, 'id'>): TokenEntry {
    const full: TokenEntry = { ...entry, id: newId() };
    entries.value = [...entries.value.filter((e) => !(e.serverKey === entry.serverKey && e.name === entry.name)), full];
    save();
    return full;
  }

  return {
    entries,
    persisted,
    async load(): Promise<void> {
      try {
        const stored = await local.get([KEY, PERSIST_KEY]);
        persisted.value = stored[PERSIST_KEY] === true;
        const area = persisted.value ? stored : await session.get([KEY]);
        const list = area[KEY];
        entries.value = Array.isArray(list) ? list.filter(isEntry) : [];
      } catch {
        entries.value = [];
      }
    },
    forServer(serverKey: string): TokenEntry[] {
      return entries.value.filter((e) => e.serverKey === serverKey);
    },
    add,
    /** A pasted token under a name; rejects an empty name or token. */
    addPasted(serverKey: string, name: string, token: string): TokenEntry {
      if (!name.trim() || !token.trim()) throw new Error('A name and a token are needed');
      return add({ serverKey, name: name.trim(), token: token.trim(), origin: 'pasted' });
    },
    /** Logs in through the server's REST API and keeps the session token it returns. */
    async logIn(spec: ServerSpec, form: LoginForm): Promise<TokenEntry> {
      const user = await rest.logIn(
        { restURL: form.restURL.replace(/\/+$/, ''), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey },
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
    remove(id: string): void {
      entries.value = entries.value.filter((e) => e.id !== id);
      save();
    },
    setPersisted(value: boolean): void {
      persisted.value = value;
      local.set({ [PERSIST_KEY]: value }).catch(() => undefined);
      save();
    },
    /** The keyring name of a token, for display (never the token itself). */
    nameOf(serverKey: string, token: string | undefined): string {
      if (!token) return 'anonymous';
      return entries.value.find((e) => e.serverKey === serverKey && e.token === token)?.name ?? 'custom token';
    },
  };
}

export type KeyringStore = ReturnType<typeof createKeyringStore>;

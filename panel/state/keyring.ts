// Named session tokens per server (alice, bob, …): kept in storage.session, or storage.local when the user opts in.

import { signal } from '@preact/signals';
import browser from 'webextension-polyfill';

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

export function createKeyring() {
  const entries = signal<TokenEntry[]>([]);
  /** When true the keyring is written to storage.local and survives a browser restart. */
  const persisted = signal(false);

  async function load(): Promise<void> {
    try {
      const local = await browser.storage.local.get([KEY, PERSIST_KEY]);
      persisted.value = local[PERSIST_KEY] === true;
      const area = persisted.value ? local : await browser.storage.session.get(KEY);
      const list = area[KEY];
      entries.value = Array.isArray(list) ? list.filter(isEntry) : [];
    } catch {
      entries.value = [];
    }
  }

  function save(): void {
    const data = { [KEY]: entries.value };
    const write = persisted.value
      ? Promise.all([browser.storage.local.set(data), browser.storage.session.remove(KEY)])
      : Promise.all([browser.storage.session.set(data), browser.storage.local.remove(KEY)]);
    write.catch(() => undefined);
  }

  return {
    entries,
    persisted,
    load,
    forServer(serverKey: string): TokenEntry[] {
      return entries.value.filter((e) => e.serverKey === serverKey);
    },
    /** Adds or replaces (same server and name) a token. */
    add(entry: Omit<TokenEntry, 'id'>): TokenEntry {
      const full: TokenEntry = { ...entry, id: crypto.randomUUID().slice(0, 8) };
      entries.value = [...entries.value.filter((e) => !(e.serverKey === entry.serverKey && e.name === entry.name)), full];
      save();
      return full;
    },
    remove(id: string): void {
      entries.value = entries.value.filter((e) => e.id !== id);
      save();
    },
    setPersisted(value: boolean): void {
      persisted.value = value;
      browser.storage.local.set({ [PERSIST_KEY]: value }).catch(() => undefined);
      save();
    },
    /** The keyring name of a token, for display (never the token itself). */
    nameOf(serverKey: string, token: string | undefined): string {
      if (!token) return 'anonymous';
      return entries.value.find((e) => e.serverKey === serverKey && e.token === token)?.name ?? 'custom token';
    },
  };
}

export type Keyring = ReturnType<typeof createKeyring>;

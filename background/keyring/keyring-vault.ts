// The remembered keyring in the extension origin's IndexedDB. Extension pages and the service worker share that
// origin; content scripts run in the page's origin, so unlike storage.local (readable by every content script in
// Chrome and Firefox) they cannot open it. Works the same in Chrome and Firefox.

import type { TokenEntry } from '../../src/keyring.js';

export interface KeyringVault {
  /** The remembered entries as stored (validate before use), or undefined when tokens are not remembered. */
  read(): Promise<unknown>;
  write(entries: TokenEntry[]): Promise<void>;
  /** Forgets the remembered keyring (Remember turned off). */
  clear(): Promise<void>;
}

export const VAULT_DB = 'liveQueryDevtools';
export const VAULT_STORE = 'secrets';
export const VAULT_KEY = 'keyring';

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** `forget` is called when the connection closes, so that the next use opens a new one. */
async function openDatabase(factory: IDBFactory | undefined, forget: () => void): Promise<IDBDatabase> {
  if (!factory) throw new Error('IndexedDB is not available in this browser context');
  const request = factory.open(VAULT_DB, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(VAULT_STORE);
  return settled(request).then((db) => {
    // Another version of the extension upgrading the database must not wait for this connection.
    db.onversionchange = () => {
      db.close();
      forget();
    };
    db.onclose = forget;
    return db;
  });
}

/** `factory`: the global indexedDB unless given (looked up on first use, so a context without it only fails then). */
export function indexedDbVault(factory?: IDBFactory): KeyringVault {
  let database: Promise<IDBDatabase> | undefined;
  const db = () => {
    const forget = () => (database = undefined);
    database ??= openDatabase(factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB, forget).catch((error: unknown) => {
      forget();
      throw error;
    });
    return database;
  };
  async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const transaction = (await db()).transaction(VAULT_STORE, mode);
    const request = settled(action(transaction.objectStore(VAULT_STORE)));
    // A write counts once its transaction is committed, not when its request succeeds.
    const committed = new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    });
    const [result] = await Promise.all([request, committed]);
    return result;
  }
  return {
    read: () => run('readonly', (store) => store.get(VAULT_KEY)),
    write: async (entries) => void (await run('readwrite', (store) => store.put(entries, VAULT_KEY))),
    clear: async () => void (await run('readwrite', (store) => store.delete(VAULT_KEY))),
  };
}

// Extension storage areas behind a small interface, so that the stores are tested with an in-memory one.

import { extensionApi as browser } from '../../src/extension-api.js';

export interface StorageArea {
  get(keys: readonly string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: readonly string[]): Promise<void>;
}

/** `storage.local` or `storage.session`; a missing area (older browsers) rejects instead of throwing. */
export function extensionStorage(area: 'local' | 'session'): StorageArea {
  return {
    async get(keys) {
      return browser.storage[area].get([...keys]);
    },
    async set(items) {
      await browser.storage[area].set(items);
    },
    async remove(keys) {
      await browser.storage[area].remove([...keys]);
    },
  };
}

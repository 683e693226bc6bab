// The history of composed queries (storage.local), newest first, for re-running with one click.

import { signal } from '@preact/signals';
import browser from 'webextension-polyfill';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { isQueryJSON } from '../../src/messages.js';

const KEY = 'queryHistory';
export const MAX_HISTORY = 50;

export interface HistoryEntry {
  query: QueryJSON;
  time: number;
}

export function createHistory() {
  const entries = signal<HistoryEntry[]>([]);
  browser.storage.local
    .get(KEY)
    .then((items) => {
      const list = items[KEY];
      if (Array.isArray(list)) {
        entries.value = list.filter((e): e is HistoryEntry => typeof e === 'object' && e !== null && isQueryJSON(e.query) && typeof e.time === 'number');
      }
    })
    .catch(() => undefined);
  return {
    entries,
    add(query: QueryJSON): void {
      const key = JSON.stringify(query);
      const rest = entries.value.filter((e) => JSON.stringify(e.query) !== key);
      entries.value = [{ query, time: Date.now() }, ...rest].slice(0, MAX_HISTORY);
      browser.storage.local.set({ [KEY]: entries.value }).catch(() => undefined);
    },
    clear(): void {
      entries.value = [];
      browser.storage.local.remove(KEY).catch(() => undefined);
    },
  };
}

export type QueryHistory = ReturnType<typeof createHistory>;

// The history of composed queries (kept in storage.local), newest first, for re-running with one click.

import { signal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { isQueryJSON } from '../../src/messages.js';
import type { StorageArea } from '../adapters/storage.js';

const KEY = 'queryHistory';
export const MAX_HISTORY = 50;

export interface HistoryEntry {
  query: QueryJSON;
  time: number;
}

const isEntry = (e: unknown): e is HistoryEntry =>
  typeof e === 'object' && e !== null && isQueryJSON((e as HistoryEntry).query) && typeof (e as HistoryEntry).time === 'number';

export function createQueryHistory(storage: StorageArea, clock: () => number = Date.now) {
  const entries = signal<HistoryEntry[]>([]);
  return {
    entries,
    async load(): Promise<void> {
      try {
        const list = (await storage.get([KEY]))[KEY];
        if (Array.isArray(list)) entries.value = list.filter(isEntry);
      } catch {
        // No stored history: start empty.
      }
    },
    /** Puts a query first (once: an equal older entry goes). */
    add(query: QueryJSON): void {
      const key = JSON.stringify(query);
      const rest = entries.value.filter((e) => JSON.stringify(e.query) !== key);
      entries.value = [{ query, time: clock() }, ...rest].slice(0, MAX_HISTORY);
      storage.set({ [KEY]: entries.value }).catch(() => undefined);
    },
    clear(): void {
      entries.value = [];
      storage.remove([KEY]).catch(() => undefined);
    },
  };
}

export type QueryHistory = ReturnType<typeof createQueryHistory>;

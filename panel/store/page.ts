// The inspected page's own sockets, its page loads (generations) and the preserve-log rule that hides older ones.

import { computed, signal } from '@preact/signals';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { PageSocketView } from '../../src/views.js';

/** A page subscription's key, as the service worker writes it in records' `subscriptionKey`. */
export const pageSubscriptionKey = (socketId: string, requestId: number) => `${socketId}:${requestId}`;

/** The record the service worker writes when the tab's top frame loads a new document. */
export function isPageLoad(record: TimelineRecord): boolean {
  return record.source.type === 'page' && record.source.socketId === 'document' && record.label === 'navigated';
}

function generationOf(record: TimelineRecord, fallback: number): number {
  try {
    const generation = (JSON.parse(record.raw ?? '{}') as { generation?: unknown }).generation;
    return typeof generation === 'number' ? generation : fallback;
  } catch {
    return fallback;
  }
}

export interface PageDeps {
  settings: { preserveLog?: boolean };
  /** The service worker keeps recording the page after the panel closes while preserve log is on. */
  worker: { setPreserveLog(on: boolean): void };
}

export function createPageStore({ settings, worker }: PageDeps) {
  const sockets = signal<PageSocketView[]>([]);
  /** Keep the timeline and the older page loads' sockets when the page reloads. */
  const preserveLog = signal(settings.preserveLog ?? false);
  /** The current page load; with preserve log off, sockets of older ones are hidden. */
  const generation = signal(0);
  /** The service worker instance the panel last heard from. */
  let epoch: string | undefined;

  const visibleSockets = computed(() =>
    preserveLog.value ? sockets.value : sockets.value.filter((s) => s.generation >= generation.value),
  );

  return {
    sockets,
    visibleSockets,
    preserveLog,
    generation,
    isPageLoad,
    setSockets(list: PageSocketView[]): void {
      sockets.value = list;
    },
    setPreserveLog(on: boolean): void {
      if (on === preserveLog.peek()) return;
      preserveLog.value = on;
      worker.setPreserveLog(on);
    },
    /** Generations restart with a restarted service worker; its backlog's own page loads decide what is shown. */
    workerStarted(workerEpoch: string): void {
      if (workerEpoch !== epoch) generation.value = 0;
      epoch = workerEpoch;
    },
    /** A new page load (a record `isPageLoad` accepted, not seen before). */
    pageLoaded(record: TimelineRecord): void {
      generation.value = Math.max(generation.value, generationOf(record, generation.value + 1));
    },
  };
}

export type PageStore = ReturnType<typeof createPageStore>;

// The inspected page's own sockets, its page loads (generations) and the preserve-log rule that hides older ones.

import { computed, signal } from '@preact/signals';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { PageSocketView } from '../../src/views.js';

/** The record the service worker writes when the tab's top frame loads a new document. */
export function isPageLoad(record: TimelineRecord): boolean {
  return record.marker?.type === 'navigated';
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
      if (record.marker?.type === 'navigated') generation.value = Math.max(generation.value, record.marker.generation);
    },
  };
}

export type PageStore = ReturnType<typeof createPageStore>;

// What the panel shows: the timeline or one subscription's live results in the main area, and the selected server.

import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { ServerView } from '../../src/views.js';
import { serverKeyOf } from '../../src/keyring.js';
import { keepEqual } from './keep-equal.js';

export type ResultsTarget = { subscriptionKey: string; title: string; serverId?: string };
/** The server the composer subscribes on, as the sidebar names it. */
export type ComposerTarget = { serverId: string; title: string; serverKey: string };
export type MainView = { type: 'timeline' } | ({ type: 'results' } & ResultsTarget) | { type: 'why'; subscriptionKey: string; title: string };

export function createViewStore(servers: ReadonlySignal<ServerView[]>) {
  const main = signal<MainView>({ type: 'timeline' });
  /** The server the composer subscribes on. */
  const selectedServerId = signal<string | null>(null);
  const selectedServer = computed(() => servers.value.find((s) => s.id === selectedServerId.value) ?? servers.value[0]);
  /**
   * The same object while the selected server's id, name and key stay: the servers view changes with every event
   * counter, and what reads this (the whole sidebar) must not render again for that.
   */
  const stableTarget = keepEqual<ComposerTarget>((a, b) => a.serverId === b.serverId && a.title === b.title && a.serverKey === b.serverKey);
  const composerTarget = computed((): ComposerTarget | null => {
    const server = selectedServer.value;
    if (!server) return null;
    return stableTarget({ serverId: server.id, title: server.spec.label || server.spec.serverURL, serverKey: serverKeyOf(server.spec) });
  });

  return {
    main,
    selectedServerId,
    selectedServer,
    composerTarget,
    showTimeline(): void {
      main.value = { type: 'timeline' };
    },
    showResults(target: ResultsTarget): void {
      main.value = { type: 'results', ...target };
    },
    /** "Why no event?" on one subscription (the why store holds what it shows). */
    showWhy(target: { subscriptionKey: string; title: string }): void {
      main.value = { type: 'why', subscriptionKey: target.subscriptionKey, title: target.title };
    },
    selectServer(serverId: string): void {
      selectedServerId.value = serverId;
    },
    /** On a (re)connect: keeps the selection if its server is still there, else selects the first server. */
    followServers(list: readonly ServerView[]): void {
      if (!selectedServerId.value || !list.some((s) => s.id === selectedServerId.value)) selectedServerId.value = list[0]?.id ?? null;
    },
  };
}

export type ViewStore = ReturnType<typeof createViewStore>;

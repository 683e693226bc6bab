// The panel's state: server and page views from the service worker, the timeline store, selection and settings.

import { batch, computed, signal } from '@preact/signals';
import type { BackgroundToPanel } from '../../src/messages.js';
import { EMPTY_FILTER, type TimelineFilter } from '../../src/timeline/filter.js';
import { sourceKey } from '../../src/timeline/keys.js';
import type { RecordDraft, TimelineRecord } from '../../src/timeline/record.js';
import type { PageSocketView, ServerView } from '../../src/views.js';
import type { Recording } from '../../src/timeline/export.js';
import { DEFAULT_CAPACITY, TimelineStore } from '../../src/timeline/store.js';
import type { Bridge, Command } from '../bridge.js';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { hostOf } from '../components/format.js';
import { createHistory } from './history.js';
import { createKeyring } from './keyring.js';
import { draftFromQuery, EMPTY_DRAFT, type QueryDraft } from './query-draft.js';
import type { PanelSettings } from './settings.js';

const PANEL_EPOCH = 'panel';

export function createAppState(settings: PanelSettings) {
  const timeline = new TimelineStore(settings.capacity ?? DEFAULT_CAPACITY);
  timeline.setFilter(settings.filter ?? EMPTY_FILTER);
  /** A recording opened from a file: shown read-only instead of the live timeline, which keeps recording meanwhile. */
  const imported = signal<{ name: string; recording: Recording; store: TimelineStore } | null>(null);
  /** The main area: the timeline, or the live result set of one subscription. */
  const view = signal<{ type: 'timeline' } | { type: 'results'; subscriptionKey: string; title: string; serverId?: string }>({
    type: 'timeline',
  });

  const connected = signal(false);
  const servers = signal<ServerView[]>([]);
  const pageSockets = signal<PageSocketView[]>([]);
  /** Bumped whenever the timeline changes; components read it to re-render. */
  const timelineVersion = signal(0);
  const recording = signal(true);
  const preserveLog = signal(settings.preserveLog ?? false);
  /** The live timeline's capacity, as a signal so that the settings effect saves it. */
  const capacity = signal(timeline.capacity);
  const filter = signal<TimelineFilter>(timeline.filter);
  const selected = signal<TimelineRecord | null>(null);
  /** Generation of the current page load; with preserve log off, older page sockets are hidden. */
  const pageGeneration = signal(0);
  const selectedServerId = signal<string | null>(null);
  const keyring = createKeyring();
  void keyring.load();
  const history = createHistory();
  const composer = {
    draft: signal<QueryDraft>({ ...EMPTY_DRAFT }),
    /** Set while the composer edits a live subscription (submitting sends the `update` op). */
    editing: signal<{ serverId: string; subscriptionId: string; requestId?: number } | null>(null),
    load(query: QueryJSON, sessionToken = ''): void {
      composer.editing.value = null;
      composer.draft.value = draftFromQuery(query, sessionToken);
    },
  };
  /** Class names seen in records, for the composer's suggestions. */
  const seenClasses = signal<ReadonlySet<string>>(new Set());
  const noteClasses = (records: readonly TimelineRecord[]) => {
    let added: Set<string> | undefined;
    for (const r of records) {
      if (r.className && !seenClasses.value.has(r.className) && !added?.has(r.className)) (added ??= new Set()).add(r.className);
    }
    if (added) seenClasses.value = new Set([...seenClasses.value, ...added]);
  };
  /** Display names by source key, for the timeline's Source column. */
  const sourceNames = computed<ReadonlyMap<string, string>>(() => {
    const recording = imported.value?.recording;
    if (recording) return new Map(Object.entries(recording.sources ?? {}));
    const names = new Map<string, string>();
    for (const server of servers.value) {
      names.set(sourceKey({ type: 'server', serverId: server.id }), server.spec.label || hostOf(server.spec.serverURL));
    }
    for (const socket of pageSockets.value) {
      const key = sourceKey({ type: 'pageSocket', socketId: socket.id, frameId: socket.frameId });
      names.set(key, `page${socket.frameId ? ` frame ${socket.frameId}` : ''} ${hostOf(socket.url)}`);
    }
    return names;
  });
  const knownClasses = computed(() => {
    const names = new Set(seenClasses.value);
    for (const server of servers.value) for (const sub of server.subscriptions) names.add(sub.query.className);
    for (const socket of pageSockets.value) for (const sub of socket.subscriptions) names.add(sub.query.className);
    for (const entry of history.entries.value) names.add(entry.query.className);
    return [...names].sort();
  });
  let bridge: Bridge | undefined;
  let localSeq = 0;
  /** The background instance the panel last heard from. */
  let epoch: string | undefined;
  let versionQueued = false;

  const bump = () => {
    if (versionQueued) return;
    versionQueued = true;
    requestAnimationFrame(() => {
      versionQueued = false;
      timelineVersion.value++;
    });
  };

  const visiblePageSockets = computed(() =>
    preserveLog.value ? pageSockets.value : pageSockets.value.filter((s) => s.generation >= pageGeneration.value),
  );

  function append(records: TimelineRecord[]): void {
    if (!recording.value) return;
    for (const record of records) {
      if (record.marker?.type === 'navigated' && timeline.isNew(record)) {
        pageGeneration.value = Math.max(pageGeneration.value, record.marker.generation);
        if (!preserveLog.value) {
          timeline.clear();
          selected.value = null;
        }
      }
      timeline.append([record]);
    }
    noteClasses(records);
    bump();
  }

  function receive(message: Exclude<BackgroundToPanel, { type: 'commandResult' }>): void {
    batch(() => {
      if (message.type === 'welcome') {
        servers.value = message.servers;
        pageSockets.value = message.pageSockets;
        if (!selectedServerId.value || !message.servers.some((s) => s.id === selectedServerId.value)) {
          selectedServerId.value = message.servers[0]?.id ?? null;
        }
        // Generations restart with a restarted background; the backlog's own navigations decide what is shown.
        if (message.epoch !== epoch) pageGeneration.value = 0;
        epoch = message.epoch;
        append(message.backlog);
        if (message.backlogDropped > 0) {
          // The background's bounded backlog overflowed while no panel was listening: say so, never silently.
          state.addLocalRecord({
            time: message.backlog[0]?.time ?? Date.now(),
            source: { type: 'extension' },
            kind: 'gap',
            label: 'records dropped',
            marker: { type: 'backlogDropped', count: message.backlogDropped },
            summary: `${message.backlogDropped} older record(s) were dropped by the extension's bounded backlog before this panel connected`,
          });
        }
        return;
      }
      if (message.servers) servers.value = message.servers;
      if (message.pageSockets) pageSockets.value = message.pageSockets;
      if (message.records.length) append(message.records);
    });
  }

  const state = {
    /** The timeline on screen: the imported recording while one is open, else the live one. */
    get timeline(): TimelineStore {
      return imported.value?.store ?? timeline;
    },
    liveTimeline: timeline,
    capacity,
    sourceNames,
    imported,
    view,
    openRecording(name: string, recording: Recording): void {
      const store = new TimelineStore(Math.max(DEFAULT_CAPACITY, recording.records.length));
      store.append(recording.records);
      store.setFilter(filter.value);
      selected.value = null;
      imported.value = { name, recording, store };
      timelineVersion.value++;
    },
    closeRecording(): void {
      imported.value = null;
      selected.value = null;
      timeline.setFilter(filter.value);
      timelineVersion.value++;
    },
    keyring,
    history,
    composer,
    knownClasses,
    connected,
    servers,
    pageSockets,
    visiblePageSockets,
    timelineVersion,
    recording,
    preserveLog,
    filter,
    selected,
    selectedServerId,
    receive,
    setBridge(b: Bridge) {
      bridge = b;
    },
    /** Runs a command on the service worker; rejects with a message fit for the UI. */
    run(command: Command): Promise<void> {
      if (!bridge) return Promise.reject(new Error('Not connected to the service worker yet'));
      return bridge.run(command);
    },
    /** A record that only the panel knows about (e.g. a query it refused to send). */
    addLocalRecord(draft: RecordDraft): void {
      timeline.append([{ ...draft, epoch: PANEL_EPOCH, seq: ++localSeq }]);
      bump();
    },
    setFilter(next: TimelineFilter): void {
      state.timeline.setFilter(next);
      filter.value = next;
      timelineVersion.value++;
    },
    setCapacity(value: number): void {
      timeline.setCapacity(value);
      capacity.value = value;
      timelineVersion.value++;
    },
    clear(): void {
      if (imported.value) return;
      timeline.clear();
      selected.value = null;
      bridge?.send({ type: 'clearBacklog' });
      timelineVersion.value++;
    },
    toggleRecording(): void {
      recording.value = !recording.value;
    },
  };
  return state;
}

export type AppState = ReturnType<typeof createAppState>;

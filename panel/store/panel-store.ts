// The panel's stores composed in one place, fed by the service worker's messages through the port adapter.

import { batch } from '@preact/signals';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { InspectedPage } from '../adapters/inspected-page.js';
import type { PanelPort, WorkerMessage } from '../adapters/port.js';
import type { RegexChecker } from '../adapters/regex-checker.js';
import type { RestClient } from '../../src/parse-rest/rest-client.js';
import type { StorageArea } from '../adapters/storage.js';
import { createComposerStore } from './composer.js';
import { createCarriedCounts } from './carried-counts.js';
import { createConnectionsStore } from './connections.js';
import { createFanoutCheckStore } from './fanout-check.js';
import { createFirstRun, type Defaults } from './first-run.js';
import { createFleetsStore } from './fleets.js';
import { createKeyringStore } from './keyring.js';
import { createLayoutStore } from './layout.js';
import { createLintStore } from './lint.js';
import { createNamesStore } from './names.js';
import { createInjectStore } from './inject.js';
import { createPageStore } from './page.js';
import { createReplayStore } from './replay.js';
import { createRecordingFilesStore } from './recording-files.js';
import { querySourceOf } from './query-sources.js';
import { createResultSetsStore } from './result-sets.js';
import type { PanelSettings } from './settings.js';
import { createTimelineStore } from './timeline.js';
import { createTokenRadarStore, type Timers } from './token-radar.js';
import { createServerChecksStore } from './server-check.js';
import type { ServerProbe } from '../adapters/server-probe.js';
import { createViewStore } from './view.js';
import { createViewUpdates, type WorkerViews } from './view-updates.js';
import { createWhyStore } from './why.js';
import { whyTargetOf } from './why-target.js';

export interface PanelDeps {
  port: PanelPort;
  /** storage.local: settings and the query history (never secrets: content scripts can read this area). */
  local: StorageArea;
  rest: RestClient;
  page: InspectedPage;
  /** Calls back before the next paint (requestAnimationFrame in the panel). */
  nextFrame(callback: () => void): void;
  /** Record time (epoch ms, fractional). */
  now(): number;
  settings: PanelSettings;
  /** dev-defaults.json: pre-filled forms, and what the first run adds. */
  defaults?: Defaults;
  /** Checks a regex filter off the main thread before it runs (see createTimelineStore). */
  regexChecker?: RegexChecker;
  /** Timers for replays (setTimeout by default). */
  replayTimers?: { set(run: () => void, ms: number): unknown; clear(handle: unknown): void };
  /** The token radar's periodic check (setInterval in the panel; none without). */
  timers?: Timers;
  /** The server check's REST answers (fetch in the panel; without, every server is "unreachable"). */
  probe?: ServerProbe;
  /** Calls back after `ms` (the fan-out check's wait window); setTimeout when absent. */
  after?(ms: number, callback: () => void): () => void;
}

/** A backlog part is answered this long after it came when no frame has come meanwhile (a hidden panel). */
export const BACKLOG_ANSWER_MS = 100;

function afterTimeout(ms: number, callback: () => void): () => void {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
}

export function createPanelStore(deps: PanelDeps) {
  const after = deps.after ?? afterTimeout;
  const connections = createConnectionsStore(deps.port);
  const page = createPageStore({ settings: deps.settings, worker: connections });
  const timeline = createTimelineStore({
    settings: deps.settings,
    nextFrame: deps.nextFrame,
    page,
    clearBacklog: connections.clearBacklog,
    regexChecker: deps.regexChecker,
  });
  const resultSets = createResultSetsStore({
    rest: deps.rest,
    now: deps.now,
    sourceOf: (key) => querySourceOf(key, connections.servers.peek(), page.sockets.peek()),
    addRecords: (drafts) => drafts.forEach(timeline.addLocal),
    settings: deps.settings,
  });
  const view = createViewStore(connections.servers);
  const why = createWhyStore({
    rest: deps.rest,
    targetOf: (key) => whyTargetOf(key, connections.servers.peek(), page.sockets.peek()),
    records: () => timeline.records('all'),
    show: (target) => view.showWhy(target),
    hide: () => view.showTimeline(),
  });
  const fleets = createFleetsStore({ servers: connections.servers, now: deps.now, connections });
  const fanout = createFanoutCheckStore({
    connections,
    servers: connections.servers,
    fleets: fleets.fleets,
    rest: deps.rest,
    addRecord: timeline.addLocal,
    now: deps.now,
    after,
    settings: deps.settings.fanout,
  });
  const layout = createLayoutStore(deps.settings.layout);
  const keyring = createKeyringStore({ port: deps.port, rest: deps.rest, page: deps.page });
  const tokenRadar = createTokenRadarStore({
    rest: deps.rest,
    now: deps.now,
    timers: deps.timers,
    servers: connections.servers,
    sockets: page.sockets,
    keyring: keyring.entries,
    addRecords: (drafts) => drafts.forEach(timeline.addLocal),
    setSubscriptionToken: connections.setSubscriptionToken,
    settings: deps.settings,
  });
  const serverChecks = createServerChecksStore({
    probe: deps.probe ?? { get: async () => ({ kind: 'unreachable', reason: 'this panel has no REST client' }) },
    now: deps.now,
    servers: connections.servers,
  });
  const composer = createComposerStore({
    connections,
    storage: deps.local,
    addLocalRecord: timeline.addLocal,
    selectServer: view.selectServer,
    now: deps.now,
  });
  const names = createNamesStore({
    servers: connections.servers,
    formerServers: connections.formerServers,
    pageSockets: page.sockets,
    imported: timeline.imported,
    seenClasses: timeline.seenClasses,
    historyEntries: composer.history.entries,
    fleetNames: fleets.sourceNames,
  });
  const firstRun = createFirstRun({
    defaults: deps.defaults ?? {},
    storage: deps.local,
    connections,
    addLocalRecord: timeline.addLocal,
    now: deps.now,
  });
  const recordingFiles = createRecordingFilesStore({
    timeline,
    servers: connections.servers,
    formerServers: connections.formerServers,
    pageSockets: page.sockets,
    sourceNames: names.sourceNames,
    keyring,
  });

  const lint = createLintStore({ rest: deps.rest });
  const inject = createInjectStore({ run: (command) => deps.port.run(command), sockets: page.sockets, now: deps.now });
  const replayTimers = deps.replayTimers ?? {
    set: (run: () => void, ms: number) => setTimeout(run, ms),
    clear: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const replay = createReplayStore({
    deliver: (target, event) => inject.deliver(target, event),
    sockets: page.sockets,
    generation: page.generation,
    setTimer: replayTimers.set,
    clearTimer: replayTimers.clear,
  });

  const carried = createCarriedCounts();

  /** Result sets are kept for the subscriptions the service worker still reports, and for the one on screen. */
  function retainResultSets(): void {
    const keys = new Set<string>();
    for (const server of connections.servers.peek()) {
      for (const sub of server.subscriptions) keys.add(subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: sub.id }));
    }
    for (const socket of page.sockets.peek()) {
      for (const sub of socket.subscriptions) keys.add(subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId }));
    }
    const shown = view.main.peek();
    if (shown.type === 'results') keys.add(shown.subscriptionKey);
    resultSets.retain(keys);
  }

  function receiveRecords(records: readonly TimelineRecord[]): void {
    if (!records.length) return;
    resultSets.receive(records);
    lint.receive(records);
    fleets.receive(records);
    fanout.receive(records);
    timeline.receive(records);
  }

  function applyViews(views: WorkerViews): void {
    batch(() => {
      if (views.servers) {
        connections.setServers(carried.servers(views.servers));
        fleets.observe(connections.servers.peek());
      }
      if (views.formerServers) connections.setFormerServers(views.formerServers);
      if (views.pageSockets) page.setSockets(carried.sockets(views.pageSockets));
      if (views.servers || views.pageSockets) retainResultSets();
    });
  }
  const viewUpdates = createViewUpdates({
    nextFrame: deps.nextFrame,
    after: (ms, callback) => void after(ms, callback),
    apply: applyViews,
  });

  /**
   * The service worker sends a long backlog part by part, each once the panel has shown the one before: answered
   * after the next frame (so a frame is painted between parts), or after BACKLOG_ANSWER_MS when no frame comes (a
   * hidden panel).
   */
  function answerBacklogPart(part: number): void {
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      cancel();
      deps.port.send({ type: 'backlogReceived', part });
    };
    const cancel = after(BACKLOG_ANSWER_MS, answer);
    // A task posted from a frame callback runs once that frame is painted.
    deps.nextFrame(() => after(0, answer));
  }

  function receive(message: WorkerMessage): void {
    if (message.type === 'keyring') return keyring.receive(message.keyring);
    batch(() => {
      if (message.type === 'welcome') {
        viewUpdates.drop();
        carried.workerStarted(message.epoch, connections.servers.peek(), page.sockets.peek());
        const servers = carried.servers(message.servers);
        connections.setServers(servers);
        fleets.observe(servers);
        fanout.sweep(servers);
        connections.setFormerServers(message.formerServers ?? []);
        page.setSockets(carried.sockets(message.pageSockets));
        view.followServers(servers);
        page.workerStarted(message.epoch);
        retainResultSets();
        void firstRun.welcome(message.servers);
        receiveRecords(message.backlog);
        if (message.backlogDropped > 0) {
          resultSets.markAllStale(message.backlog[0]?.time ?? deps.now());
          // The service worker's bounded backlog overflowed while no panel was listening: say so, never silently.
          timeline.addLocal({
            time: message.backlog[0]?.time ?? deps.now(),
            source: { type: 'extension' },
            kind: 'gap',
            label: 'records dropped',
            marker: { type: 'backlogDropped', count: message.backlogDropped },
            summary: `${message.backlogDropped} older record(s) were dropped by the extension's bounded backlog before this panel connected`,
          });
        }
        return;
      }
      viewUpdates.receive(message);
      receiveRecords(message.records);
    });
    if (message.backlogPart !== undefined) answerBacklogPart(message.backlogPart);
  }

  deps.port.onMessage(receive);

  return {
    connections,
    page,
    timeline,
    resultSets,
    why,
    view,
    layout,
    keyring,
    composer,
    names,
    recordingFiles,
    tokenRadar,
    serverChecks,
    lint,
    fleets,
    fanout,
    inject,
    replay,
    /** Reads what storage keeps (the query history; the keyring comes from the service worker). */
    load(): Promise<void> {
      return composer.history.load();
    },
    /** Opens the port to the service worker; a reconnect resumes after the newest record received. */
    connect(): void {
      deps.port.connect(() => ({ resumeFrom: timeline.lastSeen(), preserveLog: page.preserveLog.peek() }));
      tokenRadar.start();
    },
  };
}

export type PanelStore = ReturnType<typeof createPanelStore>;

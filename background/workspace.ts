// Everything the extension holds for one inspected tab: its servers, the page's own sockets, and its timeline.

import type { WebSocketConstructor } from '../src/livequery/index.js';
import { MAX_PAGE_FRAME_CHARS, type InjectOutcome, type InjectRequest, type KeyringCommand, type PanelToBackground, type PageSocketEvent } from '../src/messages.js';
import { eventFrameText } from '../src/inject/event-frame.js';
import { PageTracker, type SocketEventsOptions } from './page/page-tracker.js';
import type { RecordDraft } from '../src/timeline/record.js';
import type { FormerServer, PageSocketView, ServerSpec, ServerView } from '../src/views.js';
import type { RegisteredServer, ServerRegistry } from './servers/server-registry.js';
import { ServerConnection, validateServerSpec, type PersistedServer } from './connection.js';
import { now } from '../src/timeline/clock.js';
import { SecretMasker } from './secret-masker.js';
import { Recorder, type BacklogBudget, type RecordSink } from './recorder.js';

export interface PersistedWorkspace {
  tabId: number;
  /** This tab's connections: their subscriptions (the specs are the registry's; an older version kept them here). */
  servers: PersistedServer[];
  /** When this worker last saved the tab while recording: a restarted worker takes it as the start of a possible gap. */
  aliveAt?: number;
}

/** While records flow, the workspace is saved at least this often, so that `aliveAt` stays close to the truth. */
export const ALIVE_SAVE_MS = 2_000;

/** Where a tab's new records and view changes go (the panel router). */
export interface WorkspaceSink extends RecordSink {
  viewChanged(tabId: number, what: 'servers' | 'page'): void;
}

export interface WorkspaceDeps {
  epoch: string;
  /** The servers every tab shares. */
  registry: ServerRegistry;
  sink: WorkspaceSink;
  /** The character budget every tab's backlog shares. */
  budget?: BacklogBudget;
  persist(tabId: number): void;
  WebSocket?: WebSocketConstructor;
  random?: () => number;
  /** Hands an injection to the relay of one frame of the tab (see InjectRequest); resolves with what its hook did. */
  injectIntoPage?(tabId: number, frameId: number, request: InjectRequest): Promise<InjectOutcome>;
}

/** Why an injection the hook could not deliver was not delivered, in words. */
export function injectionFailure(outcome: Exclude<InjectOutcome, 'delivered'>): string {
  switch (outcome) {
    case 'closed':
      return 'the page socket is closed: nothing was injected';
    case 'unknownSocket':
      return 'the page no longer has that socket (it may have navigated): nothing was injected';
    case 'noHook':
      return "the page's hook did not answer (the page may be loading, or gone): nothing was injected";
  }
}

export type Command = Exclude<PanelToBackground, { type: 'hello' | 'heartbeat' | 'setPreserveLog' } | KeyringCommand>;

const newId = () => crypto.randomUUID().slice(0, 8);

/** The id of a server entry's extra connection number `index` (2 or more): its records' source. */
export const extraSocketId = (serverId: string, index: number) => `${serverId}~${index}`;
const isExtraSocket = (id: string) => id.includes('~');

const SPEC_FIELDS = ['serverURL', 'applicationId', 'javascriptKey', 'masterKey', 'sessionToken', 'label', 'restURL'] as const;
const sameSpec = (a: ServerSpec, b: ServerSpec) => SPEC_FIELDS.every((field) => a[field] === b[field]);

export class Workspace {
  readonly recorder: Recorder;
  readonly page: PageTracker;
  private readonly servers = new Map<string, ServerConnection>();
  private readonly masker = new SecretMasker(() => this.knownSecrets());
  private active = false;
  private aliveSavedAt = -Infinity;
  private readonly stopListening: () => void;
  private fleetsShown = '';

  constructor(
    readonly tabId: number,
    private readonly deps: WorkspaceDeps,
    persisted?: PersistedWorkspace,
  ) {
    this.recorder = new Recorder(deps.epoch, tabId, deps.sink, deps.budget);
    // Restored: the previous worker stopped some time after it was last seen; unknown when, so from then on.
    const lastAlive = persisted ? (persisted.aliveAt ?? now()) : undefined;
    this.page = new PageTracker(
      (draft) => {
        this.record(draft);
        deps.sink.viewChanged(tabId, 'page');
      },
      { workerLastAlive: lastAlive },
    );
    const { registry } = deps;
    for (const server of persisted?.servers ?? []) {
      // Saved per tab by an earlier version: the server joins the shared list as it was (unless it was removed).
      if (registry.formerServers().some((f) => f.id === server.id)) continue;
      if (!registry.get(server.id)) registry.add(server.spec, server.id, server.enabled);
      const shared = registry.get(server.id)!;
      this.servers.set(server.id, this.connectionFor(server.id, { ...server, spec: shared.spec, enabled: shared.enabled }, lastAlive));
    }
    this.fleetsShown = this.fleetChoices();
    this.sync();
    this.stopListening = registry.onChange(() => this.sync());
    if (persisted && persisted.servers.length) {
      const subscriptions = persisted.servers.reduce((n, s) => n + s.subscriptions.length, 0);
      this.record({
        time: now(),
        source: { type: 'extension' },
        kind: 'connection',
        label: 'restored',
        marker: { type: 'restored', servers: persisted.servers.map((s) => ({ id: s.id, serverURL: s.spec.serverURL })), subscriptions },
        summary: `restored after the service worker restarted: ${persisted.servers.length} server(s), ${subscriptions} subscription(s)`,
      });
    }
  }

  private connectionFor(id: string, server: Omit<PersistedServer, 'id'>, restoredAfter?: number): ServerConnection {
    return new ServerConnection(
      id,
      server.spec,
      server.enabled,
      {
        emit: (draft) => this.record(draft),
        changed: () => this.deps.sink.viewChanged(this.tabId, 'servers'),
        persist: () => this.deps.persist(this.tabId),
        newId,
        WebSocket: this.deps.WebSocket,
        random: this.deps.random,
      },
      server.subscriptions,
      restoredAfter,
    );
  }

  record(draft: RecordDraft): void {
    const masked: RecordDraft = { ...draft, summary: this.masker.text(draft.summary) };
    if (draft.marker) masked.marker = this.masker.marker(draft.marker);
    this.recorder.record(masked);
    const time = now();
    if (time - this.aliveSavedAt >= ALIVE_SAVE_MS) {
      this.aliveSavedAt = time;
      this.deps.persist(this.tabId);
    }
  }

  /**
   * Follows the shared list: a connection for every server (with no subscriptions when new to this tab), and one more
   * for each extra socket an entry asks for.
   */
  private sync(): void {
    const wanted = new Map<string, RegisteredServer>();
    for (const server of this.deps.registry.list()) {
      wanted.set(server.id, server);
      for (let index = 2; index <= (server.sockets ?? 1); index++) wanted.set(extraSocketId(server.id, index), server);
    }
    let changed = false;
    for (const [id, connection] of this.servers) {
      if (wanted.has(id)) continue;
      this.servers.delete(id);
      void connection.dispose();
      changed = true;
    }
    for (const [id, server] of wanted) {
      const connection = this.servers.get(id);
      if (!connection) {
        const added = this.connectionFor(id, { spec: server.spec, enabled: server.enabled, subscriptions: [] });
        this.servers.set(id, added);
        if (this.active) added.start();
        changed = true;
        continue;
      }
      const mine = connection.persisted();
      const edited = !sameSpec(mine.spec, server.spec);
      // The registry only holds validated specs: an edit cannot be refused here.
      if (edited) connection.edit(server.spec).catch((error: unknown) => console.error('LiveQuery DevTools: cannot apply a server edit', error));
      if (mine.enabled !== server.enabled) void connection.setEnabled(server.enabled);
      changed ||= edited || mine.enabled !== server.enabled;
    }
    // A fleet choice changes no connection, but every panel shows it.
    const fleets = this.fleetChoices();
    changed ||= fleets !== this.fleetsShown;
    this.fleetsShown = fleets;
    if (!changed) return;
    this.deps.persist(this.tabId);
    this.deps.sink.viewChanged(this.tabId, 'servers');
  }

  private fleetChoices(): string {
    return JSON.stringify(this.deps.registry.list().map((s) => [s.id, s.fleet]));
  }

  /**
   * Every key and token this tab's servers, subscriptions and page sockets use. Read for every record the worker
   * masks: an array filled in place, as nested generators cost ~4 % of the worker's time at 8k events/s.
   */
  private knownSecrets(): (string | undefined)[] {
    const secrets: (string | undefined)[] = [];
    for (const server of this.servers.values()) server.collectSecrets(secrets);
    this.page.collectSecrets(secrets);
    return secrets;
  }

  /** A view's error text, masked; an absent one stays absent. */
  private masked<T extends { lastError?: string }>(view: T): T {
    return view.lastError === undefined ? view : { ...view, lastError: this.masker.text(view.lastError) };
  }

  /** A panel is attached: connections run. */
  activate(): void {
    this.active = true;
    for (const server of this.servers.values()) server.start();
  }

  /** No panel for a while: close the sockets, keep every server and subscription for the next panel. */
  async deactivate(): Promise<void> {
    this.active = false;
    await Promise.all([...this.servers.values()].map((s) => s.stop('closed while no DevTools panel is open; it reconnects when one opens')));
  }

  get isActive(): boolean {
    return this.active;
  }

  /** In the order the servers were added (the shared list's), each entry's extra sockets after it. */
  serverViews(): ServerView[] {
    return this.deps.registry.list().flatMap((s) => {
      const views: ServerView[] = [];
      const main = this.servers.get(s.id)?.view();
      if (!main) return views;
      if (s.fleet) main.fleet = s.fleet;
      if (s.sockets) main.sockets = s.sockets;
      views.push(main);
      for (let index = 2; index <= (s.sockets ?? 1); index++) {
        const extra = this.servers.get(extraSocketId(s.id, index))?.view();
        if (extra) views.push({ ...extra, socketOf: { serverId: s.id, index } });
      }
      return views.map((view) => ({ ...this.masked(view), subscriptions: view.subscriptions.map((sub) => this.masked(sub)) }));
    });
  }

  /** Servers removed from the shared list: their names and URLs, for their records. */
  formerServers(): FormerServer[] {
    return this.deps.registry.formerServers();
  }

  pageSockets(): PageSocketView[] {
    return this.page.sockets().map((socket) => ({
      ...socket,
      subscriptions: socket.subscriptions.map((sub) => this.masked(sub)),
    }));
  }

  persisted(): PersistedWorkspace {
    // Extra sockets are not kept: a restarted worker opens them again, without the check subscriptions they carried.
    const servers = [...this.servers.values()].filter((s) => !isExtraSocket(s.id)).map((s) => s.persisted());
    return { tabId: this.tabId, servers, aliveAt: now() };
  }

  onPageDocument(frameId: number, url: string, documentId: string, again = false, startedAt?: number): void {
    this.page.onDocument(frameId, url, documentId, again, startedAt);
    this.deps.sink.viewChanged(this.tabId, 'page');
  }

  onPageSocketEvents(frameId: number, frameUrl: string, events: PageSocketEvent[], options: SocketEventsOptions): void {
    this.page.onSocketEvents(frameId, frameUrl, events, options);
  }

  /** Runs a panel command; throws an Error whose message the panel shows. */
  async run(command: Command): Promise<void> {
    switch (command.type) {
      case 'addServer':
        this.addServer(command.spec);
        break;
      case 'adoptPageSubscription': {
        const existing = this.deps.registry
          .list()
          .find((s) => s.spec.serverURL === command.spec.serverURL && s.spec.applicationId === command.spec.applicationId);
        const id = existing?.id ?? this.addServer(command.spec);
        this.server(id).subscribe(command.query, command.sessionToken);
        break;
      }
      case 'editServer':
        this.server(command.serverId);
        validateServerSpec(command.spec);
        this.deps.registry.edit(command.serverId, command.spec);
        break;
      case 'removeServer':
        this.server(command.serverId);
        this.deps.registry.remove(command.serverId);
        break;
      case 'setServerEnabled':
        this.server(command.serverId);
        this.deps.registry.setEnabled(command.serverId, command.enabled);
        break;
      case 'subscribe':
        this.server(command.serverId).subscribe(command.query, command.sessionToken, command.subscriptionId);
        break;
      case 'setServerFleet':
        this.deps.registry.setFleet(this.entryOf(command.serverId), command.fleet);
        break;
      case 'setServerSockets':
        this.deps.registry.setSockets(this.entryOf(command.serverId), command.sockets);
        break;
      case 'unsubscribe':
        this.server(command.serverId).unsubscribe(command.subscriptionId);
        break;
      case 'updateSubscription':
        this.server(command.serverId).updateQuery(command.subscriptionId, command.query);
        break;
      case 'setSubscriptionToken':
        this.server(command.serverId).setToken(command.subscriptionId, command.sessionToken, command.tokenLabel);
        break;
      case 'clearBacklog':
        this.recorder.clear(command.through);
        return;
      case 'injectPageEvent':
        return this.inject(command);
    }
    this.deps.persist(this.tabId);
    this.deps.sink.viewChanged(this.tabId, 'servers');
  }

  /**
   * Delivers a synthetic event to one of the page's subscriptions through its hook: the record of the frame comes back
   * from the page, marked injected. Nothing is sent to any server.
   */
  private async inject(command: Extract<Command, { type: 'injectPageEvent' }>): Promise<void> {
    const { socketId, requestId, event } = command;
    const target = this.page.injectionTarget(socketId, requestId);
    const text = eventFrameText(event, requestId, target.clientId);
    if (text.length > MAX_PAGE_FRAME_CHARS) {
      throw new Error(`the event is too large to inject (${text.length} characters; at most ${MAX_PAGE_FRAME_CHARS})`);
    }
    if (!this.deps.injectIntoPage) throw new Error('this browser cannot inject into the page');
    const outcome = await this.deps.injectIntoPage(this.tabId, target.frameId, { type: 'inject', socketId, text });
    if (outcome !== 'delivered') throw new Error(injectionFailure(outcome));
  }

  /** Adds a server to the shared list (every tab's workspace gets a connection to it); returns its id. */
  private addServer(spec: ServerSpec): string {
    try {
      validateServerSpec(spec);
    } catch (error) {
      this.record({
        time: now(),
        source: { type: 'extension' },
        kind: 'error',
        label: 'invalid server',
        marker: { type: 'invalidServer', serverURL: spec.serverURL, error: (error as Error).message },
        summary: (error as Error).message,
      });
      throw error;
    }
    // Configured once: the same settings added again (e.g. from another tab) are the server already there.
    const same = this.deps.registry.list().find((s) => sameSpec(s.spec, spec));
    return same?.id ?? this.deps.registry.add(spec, newId()).id;
  }

  /** The tab closed: every connection closes for good. */
  async dispose(): Promise<void> {
    this.stopListening();
    this.active = false;
    this.recorder.dispose();
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((s) => s.dispose()));
  }

  /** The registry entry a command is about: an extra socket's commands apply to its entry. */
  private entryOf(id: string): string {
    this.server(id);
    return id.split('~')[0]!;
  }

  private server(id: string): ServerConnection {
    const server = this.servers.get(id);
    if (!server) throw new Error(`No server ${id} (it may have been removed)`);
    return server;
  }
}

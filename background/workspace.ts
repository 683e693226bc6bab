// Everything the extension holds for one inspected tab: its servers, the page's own sockets, and its timeline.

import type { WebSocketConstructor } from '../src/livequery/index.js';
import type { KeyringCommand, PanelToBackground, PageSocketEvent } from '../src/messages.js';
import { PageTracker, type SocketEventsOptions } from './page/page-tracker.js';
import type { RecordDraft } from '../src/timeline/record.js';
import type { PageSocketView, ServerSpec, ServerView } from '../src/views.js';
import { ServerConnection, validateServerSpec, type PersistedServer } from './connection.js';
import { now } from '../src/timeline/clock.js';
import { SecretMasker } from './secret-masker.js';
import { Recorder, type BacklogBudget, type RecordSink } from './recorder.js';

export interface PersistedWorkspace {
  tabId: number;
  servers: PersistedServer[];
}

/** Where a tab's new records and view changes go (the panel router). */
export interface WorkspaceSink extends RecordSink {
  viewChanged(tabId: number, what: 'servers' | 'page'): void;
}

export interface WorkspaceDeps {
  epoch: string;
  sink: WorkspaceSink;
  /** The character budget every tab's backlog shares. */
  budget?: BacklogBudget;
  persist(tabId: number): void;
  WebSocket?: WebSocketConstructor;
  random?: () => number;
}

export type Command = Exclude<PanelToBackground, { type: 'hello' | 'heartbeat' | 'setPreserveLog' } | KeyringCommand>;

const newId = () => crypto.randomUUID().slice(0, 8);

export class Workspace {
  readonly recorder: Recorder;
  readonly page: PageTracker;
  private readonly servers = new Map<string, ServerConnection>();
  private readonly masker = new SecretMasker(() => this.knownSecrets());
  private active = false;

  constructor(
    readonly tabId: number,
    private readonly deps: WorkspaceDeps,
    persisted?: PersistedWorkspace,
  ) {
    this.recorder = new Recorder(deps.epoch, tabId, deps.sink, deps.budget);
    this.page = new PageTracker((draft) => {
      this.record(draft);
      deps.sink.viewChanged(tabId, 'page');
    });
    for (const server of persisted?.servers ?? []) {
      this.servers.set(server.id, this.connectionFor(server.id, server));
    }
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

  private connectionFor(id: string, server: Omit<PersistedServer, 'id'>): ServerConnection {
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
    );
  }

  record(draft: RecordDraft): void {
    const masked: RecordDraft = { ...draft, summary: this.masker.text(draft.summary) };
    if (draft.marker) masked.marker = this.masker.marker(draft.marker);
    this.recorder.record(masked);
  }

  /** Every key and token this tab's servers, subscriptions and page sockets use. */
  private *knownSecrets(): Iterable<string | undefined> {
    for (const server of this.servers.values()) {
      const { spec, subscriptions } = server.persisted();
      yield spec.javascriptKey;
      yield spec.masterKey;
      yield spec.sessionToken;
      for (const subscription of subscriptions) yield subscription.sessionToken;
    }
    yield* this.page.secrets();
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

  serverViews(): ServerView[] {
    return [...this.servers.values()].map((s) => {
      const view = s.view();
      return { ...this.masked(view), subscriptions: view.subscriptions.map((sub) => this.masked(sub)) };
    });
  }

  pageSockets(): PageSocketView[] {
    return this.page.sockets().map((socket) => ({
      ...socket,
      subscriptions: socket.subscriptions.map((sub) => this.masked(sub)),
    }));
  }

  persisted(): PersistedWorkspace {
    return { tabId: this.tabId, servers: [...this.servers.values()].map((s) => s.persisted()) };
  }

  onPageDocument(frameId: number, url: string, documentId: string, again = false): void {
    this.page.onDocument(frameId, url, documentId, again);
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
        const existing = [...this.servers.values()].find((s) => {
          const spec = s.persisted().spec;
          return spec.serverURL === command.spec.serverURL && spec.applicationId === command.spec.applicationId;
        });
        (existing ?? this.addServer(command.spec)).subscribe(command.query, command.sessionToken);
        break;
      }
      case 'editServer':
        await this.server(command.serverId).edit(command.spec);
        break;
      case 'removeServer': {
        const server = this.server(command.serverId);
        this.servers.delete(command.serverId);
        await server.dispose();
        break;
      }
      case 'setServerEnabled':
        await this.server(command.serverId).setEnabled(command.enabled);
        break;
      case 'subscribe':
        this.server(command.serverId).subscribe(command.query, command.sessionToken);
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
    }
    this.deps.persist(this.tabId);
    this.deps.sink.viewChanged(this.tabId, 'servers');
  }

  private addServer(spec: ServerSpec): ServerConnection {
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
    const id = newId();
    const connection = this.connectionFor(id, { spec, enabled: true, subscriptions: [] });
    this.servers.set(id, connection);
    if (this.active) connection.start();
    return connection;
  }

  /** The tab closed: every connection closes for good. */
  async dispose(): Promise<void> {
    this.active = false;
    this.recorder.dispose();
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map((s) => s.dispose()));
  }

  private server(id: string): ServerConnection {
    const server = this.servers.get(id);
    if (!server) throw new Error(`No server ${id} (it may have been removed)`);
    return server;
  }
}

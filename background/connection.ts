// One server the user added: its LiveQueryClient, its subscriptions (kept across reconnects and restarts) and its records.

import {
  InvalidFrameError,
  LiveQueryClient,
  SocketError,
  type ClientState,
  type FrameRecord,
  type StateChange,
  type Subscription,
  type WebSocketConstructor,
  validateServerURL,
} from '../src/livequery/index.js';
import type { EventOp, QueryJSON } from '../src/livequery/protocol.js';
import { describeReceivedFrame, describeSentFrame, gapSummary } from '../src/timeline/describe.js';
import { subscriptionKey } from '../src/timeline/keys.js';
import { MAX_RECORD_RAW_CHARS } from '../src/timeline/record-size.js';
import type { GapReason, Marker, MarkerOf, RecordDraft, RecordKind, RecordSource } from '../src/timeline/record.js';
import {
  emptyCounts,
  VERDICT_TEXT,
  type ConnectVerdict,
  type EventCounts,
  type ServerSpec,
  type ServerView,
  type SubscriptionView,
  type SubscriptionViewState,
} from '../src/views.js';
import { explainServerError } from './error-hints.js';
import { now } from '../src/timeline/clock.js';

/** How long a connection may wait for `connected` after sending `connect` before we call the endpoint suspicious. */
export const CONNECT_ANSWER_TIMEOUT_MS = 10_000;

export interface SubscriptionSpec {
  id: string;
  query: QueryJSON;
  sessionToken?: string;
}

export interface PersistedServer {
  id: string;
  spec: ServerSpec;
  enabled: boolean;
  subscriptions: SubscriptionSpec[];
}

export interface ConnectionDeps {
  emit(draft: RecordDraft): void;
  /** Something in the view changed (state, counts, subscriptions). */
  changed(): void;
  /** The persisted part changed (spec, enabled, subscriptions). */
  persist(): void;
  newId(): string;
  WebSocket?: WebSocketConstructor;
  random?: () => number;
  connectAnswerTimeoutMs?: number;
}

interface TrackedSubscription {
  spec: SubscriptionSpec;
  live?: Subscription;
  state: SubscriptionViewState;
  lastError?: string;
  counts: EventCounts;
  /** Set when the socket dropped or was closed while this subscription was confirmed: the start of a possible gap. */
  lost?: { at: number; reason: GapReason };
}

/** Throws the client's own validation error (bad URL, missing applicationId) without opening anything. */
export function validateServerSpec(spec: ServerSpec): void {
  validateServerURL(spec.serverURL);
  if (!spec.applicationId) throw new TypeError('LiveQueryClient: "applicationId" is required');
}

const SPEC_FIELDS = ['serverURL', 'applicationId', 'javascriptKey', 'masterKey', 'sessionToken', 'label'] as const;
const sameExceptRestURL = (a: ServerSpec, b: ServerSpec) => SPEC_FIELDS.every((key) => a[key] === b[key]);


/** The recorder keeps at most MAX_RECORD_RAW_CHARS of a frame; the summary says so. */
function keptText(text: string, summary: string): { raw: string; summary: string } {
  return { raw: text, summary: text.length > MAX_RECORD_RAW_CHARS ? `${summary} (frame of ${text.length} characters, cut)` : summary };
}

export class ServerConnection {
  private client: LiveQueryClient | undefined;
  private readonly subscriptions = new Map<string, TrackedSubscription>();
  /** requestId → subscription id, for the current client (requestIds restart with every new client). */
  private readonly byRequestId = new Map<number, string>();
  private state: ClientState = 'initialized';
  private attempt = 0;
  private nextRetryAt: number | undefined;
  private clientId: string | undefined;
  private lastError: string | undefined;
  /** Why the current attempts are given up and retried: the endpoint answered, but not as LiveQuery, or not at all. */
  private verdict: ConnectVerdict | undefined;
  private connectWatchdog: ReturnType<typeof setTimeout> | undefined;
  /** Removed: nothing may start it again (an edit or a retry still in progress included). */
  private disposed = false;
  /** The subscription being handed to the client right now. */
  private attaching: string | undefined;

  constructor(
    readonly id: string,
    private spec: ServerSpec,
    private enabled: boolean,
    private readonly deps: ConnectionDeps,
    subscriptions: SubscriptionSpec[] = [],
    /** Restored by a new service worker: when the previous one was last seen alive (its sockets died with it). */
    restoredAfter?: number,
  ) {
    const lost = restoredAfter === undefined ? undefined : ({ at: restoredAfter, reason: 'workerRestarted' } as const);
    for (const s of subscriptions) this.subscriptions.set(s.id, { spec: s, state: 'closed', counts: emptyCounts(), lost });
  }

  get isRunning(): boolean {
    return this.client !== undefined;
  }

  /** Opens the connection if the user wants it open and it is not running. */
  start(): void {
    if (!this.enabled || this.client || this.disposed) return;
    const client = new LiveQueryClient({ ...this.spec, WebSocket: this.deps.WebSocket, random: this.deps.random });
    this.client = client;
    this.byRequestId.clear();
    client.on('state', (change) => this.onState(client, change));
    client.on('frame', (frame) => this.onFrame(client, frame));
    client.on('error', (error) => this.onClientError(client, error));
    client.on('open', () => {
      if (client !== this.client) return;
      this.clientId = client.id === undefined ? undefined : String(client.id);
      this.lastError = undefined;
      this.verdict = undefined;
      this.clearWatchdog();
      this.deps.changed();
    });
    for (const tracked of this.subscriptions.values()) this.attach(tracked);
    client.open();
  }

  /**
   * Closes the connection but keeps its subscriptions for the next start(). The client is detached at once, so a
   * start() right after opens a new one without waiting for the old socket's close handshake.
   */
  async stop(reason = 'closed by you'): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.clearWatchdog();
    const lost = { at: now(), reason: 'connectionClosed' } as const;
    for (const tracked of this.subscriptions.values()) {
      // Events while it is closed are missed too: the next confirmation marks the gap.
      if (tracked.state === 'subscribed' && tracked.lost === undefined) tracked.lost = lost;
      tracked.live = undefined;
      tracked.state = 'closed';
    }
    const closing = client.close();
    this.state = 'disconnected';
    this.nextRetryAt = undefined;
    this.emit('connection', 'disconnected', reason, { type: 'connectionState', state: 'disconnected', attempt: this.attempt, reason });
    this.deps.changed();
    await closing;
  }

  /** Reconnects at once, e.g. during a back-off or after the server refused the keys. */
  retryNow(): void {
    if (!this.enabled) return;
    if (!this.client || this.client.state === 'disconnected') {
      void this.stop();
      this.start();
      return;
    }
    this.client.open();
  }

  async setEnabled(enabled: boolean): Promise<void> {
    this.enabled = enabled;
    this.deps.persist();
    if (enabled) this.retryNow();
    else await this.stop();
    this.deps.changed();
  }

  async edit(spec: ServerSpec): Promise<void> {
    validateServerSpec(spec);
    if (sameExceptRestURL(this.spec, spec)) {
      // Only the REST URL changed: the LiveQuery connection stays as it is (no reconnect, no gap).
      this.spec = spec;
      this.deps.persist();
      this.deps.changed();
      return;
    }
    const wasRunning = this.isRunning;
    const closing = this.stop('closed to apply new settings');
    this.spec = spec;
    this.lastError = undefined;
    this.verdict = undefined;
    this.deps.persist();
    this.emit('connection', 'edited', `server settings changed: ${spec.serverURL}`, { type: 'serverEdited', serverURL: spec.serverURL });
    if (wasRunning) this.start();
    this.deps.changed();
    await closing;
  }

  /** The server was removed: close it for good. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop('removed');
  }

  /** `id`: chosen by the panel (it removes the subscription itself later); else a new one. */
  subscribe(query: QueryJSON, sessionToken?: string, id?: string): string {
    if (id !== undefined && this.subscriptions.has(id)) throw new Error(`There is already a subscription ${id} on ${this.spec.serverURL}`);
    const spec: SubscriptionSpec = { id: id ?? this.deps.newId(), query, sessionToken: sessionToken || undefined };
    const tracked: TrackedSubscription = { spec, state: 'pending', counts: emptyCounts() };
    this.subscriptions.set(spec.id, tracked);
    this.attach(tracked);
    this.deps.persist();
    this.deps.changed();
    return spec.id;
  }

  unsubscribe(subscriptionId: string): void {
    const tracked = this.require(subscriptionId);
    this.subscriptions.delete(subscriptionId);
    void tracked.live?.unsubscribe();
    this.deps.persist();
    this.deps.changed();
  }

  updateQuery(subscriptionId: string, query: QueryJSON): void {
    const tracked = this.require(subscriptionId);
    tracked.spec.query = query;
    tracked.live?.update(query);
    this.deps.persist();
    this.deps.changed();
  }

  /** Switches the session token: unsubscribe, then subscribe again with the new token (the docs' own advice). */
  setToken(subscriptionId: string, sessionToken: string | undefined, tokenLabel?: string): void {
    const tracked = this.require(subscriptionId);
    tracked.spec.sessionToken = sessionToken || undefined;
    const to = sessionToken ? (tokenLabel ? `"${tokenLabel}"` : 'another token') : 'anonymous (no token)';
    const marker: MarkerOf<'tokenSwitched'> = { type: 'tokenSwitched', subscriptionId, anonymous: !sessionToken };
    if (sessionToken && tokenLabel) marker.tokenLabel = tokenLabel;
    this.emit(
      'connection',
      'token switched',
      `${tracked.spec.query.className}: session token switched to ${to}; unsubscribing and subscribing again`,
      marker,
      subscriptionId,
      tracked.spec.query.className,
    );
    if (tracked.live) {
      void tracked.live.unsubscribe();
      tracked.live = undefined;
      this.attach(tracked);
    }
    this.deps.persist();
    this.deps.changed();
  }

  /** Adds the keys and tokens this connection uses (for masking) to `into`, without copying its state. */
  collectSecrets(into: (string | undefined)[]): void {
    into.push(this.spec.javascriptKey, this.spec.masterKey, this.spec.sessionToken);
    for (const tracked of this.subscriptions.values()) into.push(tracked.spec.sessionToken);
  }

  persisted(): PersistedServer {
    return {
      id: this.id,
      spec: this.spec,
      enabled: this.enabled,
      subscriptions: [...this.subscriptions.values()].map((t) => t.spec),
    };
  }

  view(): ServerView {
    const subscriptions: SubscriptionView[] = [...this.subscriptions.values()].map((t) => ({
      id: t.spec.id,
      requestId: t.live?.id,
      query: t.spec.query,
      sessionToken: t.spec.sessionToken,
      state: t.state,
      lastError: t.lastError,
      counts: { ...t.counts },
    }));
    return {
      id: this.id,
      spec: this.spec,
      enabled: this.enabled,
      state: this.state,
      attempt: this.attempt,
      nextRetryAt: this.nextRetryAt,
      clientId: this.clientId,
      lastError: this.lastError,
      verdict: this.verdict,
      subscriptions,
    };
  }

  private require(subscriptionId: string): TrackedSubscription {
    const tracked = this.subscriptions.get(subscriptionId);
    if (!tracked) throw new Error(`no subscription ${subscriptionId} on ${this.spec.serverURL}`);
    return tracked;
  }

  private attach(tracked: TrackedSubscription): void {
    const client = this.client;
    if (!client) return;
    // The subscribe frame goes out inside client.subscribe(), before its requestId is known here.
    this.attaching = tracked.spec.id;
    let live: Subscription;
    try {
      live = client.subscribe(tracked.spec.query, tracked.spec.sessionToken);
    } finally {
      this.attaching = undefined;
    }
    tracked.live = live;
    tracked.state = 'pending';
    this.byRequestId.set(live.id, tracked.spec.id);
    const current = () => tracked.live === live && this.subscriptions.get(tracked.spec.id) === tracked;
    live.on('open', () => {
      if (!current()) return;
      tracked.state = 'subscribed';
      tracked.lastError = undefined;
      if (tracked.lost !== undefined) this.emitGap(tracked, tracked.lost, now());
      tracked.lost = undefined;
      this.deps.changed();
    });
    live.on('close', () => {
      if (!current()) return;
      if (tracked.state === 'subscribed' && tracked.lost === undefined) tracked.lost = { at: now(), reason: 'connectionLost' };
      tracked.state = live.state === 'closed' ? 'closed' : 'pending';
      this.deps.changed();
    });
    live.on('error', (message, frame) => {
      if (!current()) return;
      tracked.state = 'error';
      tracked.lastError = explainServerError(frame.code, message);
      this.deps.changed();
    });
    const count = (op: EventOp) => () => {
      if (!current()) return;
      tracked.counts[op]++;
      this.deps.changed();
    };
    for (const op of ['create', 'enter', 'update', 'leave', 'delete'] as const) live.on(op, count(op));
  }

  private onState(client: LiveQueryClient, change: StateChange): void {
    if (client !== this.client) return;
    // Only an attempt in progress waits for its answer.
    if (change.state !== 'connecting' && !(change.state === 'reconnecting' && change.delayMs === undefined)) this.clearWatchdog();
    this.state = change.state;
    this.attempt = change.attempt;
    this.nextRetryAt = change.state === 'reconnecting' ? change.nextRetryAt : undefined;
    if (change.state !== 'connected') this.clientId = undefined;
    let summary: string;
    switch (change.state) {
      case 'connecting':
        summary = `connecting to ${this.spec.serverURL}`;
        break;
      case 'reconnecting':
        summary =
          change.delayMs === undefined
            ? `reconnecting (attempt ${change.attempt})`
            : `${this.verdict ? `${VERDICT_TEXT[this.verdict]}: ` : ''}reconnecting: attempt ${change.attempt} in ${(change.delayMs / 1000).toFixed(1)} s`;
        break;
      case 'closed':
        summary = `socket closed${change.code !== undefined ? ` (code ${change.code}${change.reason ? `: ${change.reason}` : ''})` : ''}`;
        for (const tracked of this.subscriptions.values()) {
          if (tracked.state === 'subscribed' && tracked.lost === undefined) tracked.lost = { at: now(), reason: 'connectionLost' };
        }
        break;
      case 'connected':
        summary = `connected to ${this.spec.serverURL}`;
        break;
      case 'disconnected':
        summary = this.lastError ? `gave up: ${this.lastError}` : 'disconnected';
        break;
      default:
        summary = change.state;
    }
    const { state, attempt, delayMs, nextRetryAt, code, reason } = change;
    const marker: MarkerOf<'connectionState'> = { type: 'connectionState', state, attempt };
    if (delayMs !== undefined) marker.delayMs = delayMs;
    if (nextRetryAt !== undefined) marker.nextRetryAt = nextRetryAt;
    if (code !== undefined) marker.code = code;
    if (reason !== undefined) marker.reason = reason;
    this.emit('connection', state, summary, marker);
    this.deps.changed();
  }

  private onFrame(client: LiveQueryClient, frame: FrameRecord): void {
    if (client !== this.client) return;
    const described = frame.direction === 'sent' ? describeSentFrame(frame.text) : describeReceivedFrame(frame.text, frame.json, frame.checked);
    if (frame.direction === 'sent' && described.op === 'connect') this.armWatchdog(client);
    // A received frame without an op is not a LiveQuery frame.
    if (frame.direction === 'received' && described.op === undefined && client.state !== 'connected') {
      this.lastError = `This endpoint does not look like a LiveQuery server: it answered with ${described.summary}`;
      this.verdict = 'notLiveQuery';
      // After the client has handled this frame: the attempt is given up and retried with back-off.
      queueMicrotask(() => {
        if (client === this.client) client.retryLater();
      });
    }
    // A subscription's own error belongs to the subscription (shown there), not to the connection.
    if (described.kind === 'error' && described.requestId === undefined && described.json && typeof described.json.code === 'number') {
      this.lastError = explainServerError(described.json.code, String(described.json.error));
    }
    const subscriptionId =
      described.requestId === undefined ? undefined : (this.byRequestId.get(described.requestId) ?? this.attaching);
    const className =
      described.className ??
      (subscriptionId ? this.subscriptions.get(subscriptionId)?.spec.query.className : undefined);
    this.deps.emit({
      time: frame.time,
      source: this.source,
      kind: described.kind,
      label: described.label,
      subscriptionKey: this.subscriptionKey(subscriptionId),
      requestId: described.requestId,
      className,
      objectId: described.objectId,
      ...keptText(frame.text, described.summary),
    });
  }

  private onClientError(client: LiveQueryClient, error: string | Error): void {
    if (client !== this.client) return;
    // Server error frames and invalid frames already have their own record (from the frame itself).
    if (!(error instanceof SocketError)) {
      if (error instanceof InvalidFrameError || typeof error === 'string') this.deps.changed();
      return;
    }
    this.lastError = `Cannot reach ${this.spec.serverURL}: connection refused, closed or not a WebSocket endpoint`;
    this.emit('error', 'socket error', this.lastError, { type: 'socketError', message: error.message });
    this.deps.changed();
  }

  private armWatchdog(client: LiveQueryClient): void {
    this.clearWatchdog();
    const timeoutMs = this.deps.connectAnswerTimeoutMs ?? CONNECT_ANSWER_TIMEOUT_MS;
    this.connectWatchdog = setTimeout(() => {
      this.connectWatchdog = undefined;
      if (client !== this.client || client.state === 'connected') return;
      this.lastError = `No "connected" reply within ${timeoutMs / 1000} s: is ${this.spec.serverURL} a LiveQuery endpoint?`;
      this.verdict ??= 'noAnswer';
      this.emit('error', 'no answer', this.lastError, { type: 'noAnswer', timeoutMs });
      client.retryLater();
      this.deps.changed();
    }, timeoutMs);
  }

  private clearWatchdog(): void {
    if (this.connectWatchdog !== undefined) clearTimeout(this.connectWatchdog);
    this.connectWatchdog = undefined;
  }

  private get source(): RecordSource {
    return { type: 'server', serverId: this.id };
  }

  private subscriptionKey(subscriptionId: string | undefined): string | undefined {
    return subscriptionId === undefined ? undefined : subscriptionKey({ type: 'server', serverId: this.id, subscriptionId });
  }

  private emitGap(tracked: TrackedSubscription, lost: { at: number; reason: GapReason }, to: number): void {
    const from = Math.min(lost.at, to);
    this.deps.emit({
      time: to,
      source: this.source,
      kind: 'gap',
      label: 'possible gap',
      marker: { type: 'gap', from, to, reason: lost.reason },
      subscriptionKey: this.subscriptionKey(tracked.spec.id),
      className: tracked.spec.query.className,
      summary: gapSummary(from, to, lost.reason === 'workerRestarted' ? 'the extension restarted' : undefined),
    });
  }

  private emit(
    kind: RecordKind,
    label: string,
    summary: string,
    marker: Marker,
    subscriptionId?: string,
    className?: string,
  ): void {
    this.deps.emit({
      time: now(),
      source: this.source,
      kind,
      label,
      marker,
      subscriptionKey: this.subscriptionKey(subscriptionId),
      className,
      summary,
    });
  }
}

// LiveQueryClient: the Parse SDK's client API over one WebSocket, with its reconnect bugs fixed and frames observable.

import { backoffDelayMs } from './backoff.js';
import { Emitter } from './emitter.js';
import { InvalidFrameError, SocketError } from './errors.js';
import {
  checkServerFrame,
  NOT_JSON,
  type ClientFrame,
  type ErrorFrame,
  type EventFrame,
  type FrameCheck,
  type ServerFrame,
} from './protocol.js';
import { normalizeQuery, type QueryInput } from './query.js';
import {
  SOCKET_CLOSED,
  SOCKET_CONNECTING,
  SOCKET_OPEN,
  type SocketCloseEvent,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.js';
import { Subscription, type EventResponse, type SubscriptionOwner } from './subscription.js';
import { SubscriptionRecords } from './subscription-records.js';

export type ClientState = 'initialized' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'disconnected';

export interface LiveQueryClientOptions {
  applicationId: string;
  /** ws:// or wss:// URL of the LiveQuery server, e.g. wss://example.com/parse */
  serverURL: string;
  javascriptKey?: string;
  masterKey?: string;
  /** Sent in the connect frame; applies to subscriptions made without their own token. */
  sessionToken?: string;
  installationId?: string;
  /** A WebSocket constructor; defaults to globalThis.WebSocket (pass the `ws` package in Node). */
  WebSocket?: WebSocketConstructor;
  /** Source of randomness for the back-off jitter (tests make it deterministic). */
  random?: () => number;
}

export interface StateChange {
  state: ClientState;
  /**
   * The connection attempt this state belongs to, or (reconnecting with a delay) the one it schedules: 1 is the first
   * connect, and counting starts again from 1 after a success; the first retry after a drop is attempt 2.
   */
  attempt: number;
  /** While reconnecting: the delay chosen and when the next attempt starts (epoch ms). */
  delayMs?: number;
  nextRetryAt?: number;
  /** When the socket closed: its close code and reason. */
  code?: number;
  reason?: string;
}

export interface FrameRecord {
  direction: 'sent' | 'received';
  /** The frame text, or a note like `[binary frame, 12 bytes]` for binary frames. */
  text: string;
  /** Epoch ms when the frame was sent or received. */
  time: number;
  /** A received text frame, already parsed (undefined when it is not JSON), so observers need not parse it again. */
  json?: unknown;
  /** A received text frame's validation, so observers need not validate it again. */
  checked?: FrameCheck<ServerFrame>;
}

export interface ClientEvents {
  [event: string]: unknown[];
  open: [];
  close: [info?: { code: number; reason: string }];
  /** A server `error` frame without a requestId (string, as in the SDK), a SocketError or an InvalidFrameError. */
  error: [error: string | Error, frame?: ErrorFrame];
  state: [change: StateChange];
  frame: [record: FrameRecord];
}

const LEGACY_SERVER_ERROR = 'Additional properties not allowed';

interface Deferred {
  promise: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A refusal is also an `error` event; an unobserved rejection must not crash the host.
  promise.catch(() => undefined);
  const d: Deferred = {
    promise,
    settled: false,
    resolve: () => {
      d.settled = true;
      resolve();
    },
    reject: (error) => {
      d.settled = true;
      reject(error);
    },
  };
  return d;
}

function describeBinary(data: unknown): string {
  const size =
    data instanceof ArrayBuffer
      ? data.byteLength
      : ArrayBuffer.isView(data)
        ? data.byteLength
        : typeof Blob !== 'undefined' && data instanceof Blob
          ? data.size
          : undefined;
  return size === undefined ? '[non-text frame]' : `[binary frame, ${size} bytes]`;
}

function optionalString(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TypeError(`LiveQueryClient: "${name}" must be a string`);
  return value;
}

/** Returns a valid ws:// or wss:// URL or throws a TypeError that says what is wrong with it. */
export function validateServerURL(serverURL: unknown): string {
  if (typeof serverURL !== 'string' || serverURL.length === 0) {
    throw new TypeError('LiveQueryClient: "serverURL" is required, e.g. "wss://example.com/parse"');
  }
  let url: URL;
  try {
    url = new URL(serverURL);
  } catch {
    throw new TypeError(`LiveQueryClient: "serverURL" is not a valid URL: ${JSON.stringify(serverURL)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(
      `LiveQueryClient: "serverURL" must start with ws:// or wss:// (got ${JSON.stringify(serverURL)}); ` +
        'a Parse REST URL http(s)://host/parse becomes ws(s)://host/parse',
    );
  }
  return serverURL;
}

export class LiveQueryClient extends Emitter<ClientEvents> implements SubscriptionOwner {
  readonly applicationId: string;
  readonly serverURL: string;
  readonly javascriptKey: string | undefined;
  readonly masterKey: string | undefined;
  readonly sessionToken: string | undefined;
  readonly installationId: string | undefined;

  state: ClientState = 'initialized';
  /** The clientId the server assigned on the current connection. */
  id: string | number | undefined;
  /** The number of the current or scheduled (re)connection attempt; back to 1 once the server confirms a subscription. */
  attempts = 1;

  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly random: () => number;
  private socket: WebSocketLike | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private nextRequestId = 1;
  private readonly records = new SubscriptionRecords<Subscription>();
  private connectedOnce = false;
  private sendInstallationId = true;
  private connectDeferred = deferred();

  constructor(options: LiveQueryClientOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('LiveQueryClient: options {applicationId, serverURL} are required');
    }
    const raw = options as unknown as Record<string, unknown>;
    const applicationId = optionalString(raw, 'applicationId');
    if (!applicationId) throw new TypeError('LiveQueryClient: "applicationId" is required');
    this.applicationId = applicationId;
    this.serverURL = validateServerURL(options.serverURL);
    this.javascriptKey = optionalString(raw, 'javascriptKey');
    this.masterKey = optionalString(raw, 'masterKey');
    this.sessionToken = optionalString(raw, 'sessionToken');
    this.installationId = optionalString(raw, 'installationId');
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof impl !== 'function') {
      throw new TypeError(
        'LiveQueryClient: no WebSocket implementation; pass one as options.WebSocket (in Node: the `ws` package)',
      );
    }
    this.WebSocketImpl = impl;
    this.random = options.random ?? Math.random;
  }

  /** As in the SDK: resolves when the server answers `connected`; rejects if it refuses before that. Renewed after a drop. */
  get connectPromise(): Promise<void> {
    return this.connectDeferred.promise;
  }

  /** Live subscriptions (not the ones being unsubscribed), in requestId order. */
  get subscriptions(): Subscription[] {
    return [...this.records.liveSubscriptions()];
  }

  /** True when open() would start a connection (as the SDK's shouldOpen). */
  shouldOpen(): boolean {
    return this.state === 'initialized' || this.state === 'disconnected';
  }

  /** Connects. During a reconnect back-off it retries at once; while connecting or connected it does nothing. */
  open(): void {
    if (this.state === 'connecting' || this.state === 'connected') return;
    if (this.state === 'disconnected') this.connectedOnce = false;
    this.clearReconnectTimer();
    this.connect();
  }

  /**
   * Gives up on the connection attempt in progress (the endpoint never answered `connect`, or is not a LiveQuery
   * server) and schedules the next one with the usual back-off. Does nothing once connected, while a retry is already
   * scheduled, or after close().
   */
  retryLater(): void {
    if (this.state !== 'connecting' && this.state !== 'reconnecting') return;
    if (this.reconnectTimer !== undefined) return;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) void this.closeSocket(socket);
    this.scheduleReconnect();
  }

  subscribe(query: QueryInput, sessionToken?: string): Subscription {
    const normalized = normalizeQuery(query);
    if (sessionToken !== undefined && typeof sessionToken !== 'string') {
      throw new TypeError('LiveQueryClient.subscribe: sessionToken must be a string');
    }
    const subscription = new Subscription(this, this.nextRequestId++, normalized, sessionToken || undefined);
    this.records.add(subscription.id, subscription);
    // Otherwise it is sent once `connected` arrives, exactly once per connection.
    if (this.state === 'connected') this.sendSubscribe(subscription, 'subscribe');
    return subscription;
  }

  unsubscribe(subscription: Subscription): Promise<void> {
    const id = subscription.id;
    if (this.records.liveSubscription(id) !== subscription) return subscription.whenClosed();
    if (this.state !== 'connected') {
      // Until `connected` the server holds nothing of ours, whatever a record says.
      this.records.forget(id);
      subscription.markClosed();
      return subscription.whenClosed();
    }
    const step = this.records.startLeaving(id);
    if (step === 'unsubscribe') this.send({ op: 'unsubscribe', requestId: id });
    else if (step === 'close') subscription.markClosed();
    return subscription.whenClosed();
  }

  /** Applies a new query to a live subscription with the protocol's `update` op. */
  updateSubscription(subscription: Subscription, query: QueryInput): void {
    if (this.records.liveSubscription(subscription.id) !== subscription) {
      throw new Error(`LiveQueryClient: subscription ${subscription.id} is not live on this client`);
    }
    subscription.query = normalizeQuery(query);
    if (this.state !== 'connected') return;
    const op = this.records.requestUpdate(subscription.id);
    if (op) this.sendSubscribe(subscription, op);
  }

  /** Closes the socket, cancels any pending reconnect and drops every subscription (as the SDK does). */
  close(): Promise<void> {
    if (this.state === 'initialized' || this.state === 'disconnected') return Promise.resolve();
    this.clearReconnectTimer();
    const socket = this.socket;
    this.socket = undefined;
    const closed = socket ? this.closeSocket(socket) : Promise.resolve();
    const attempt = this.attempts;
    this.attempts = 1;
    this.id = undefined;
    this.nextRequestId = 1;
    this.connectedOnce = false;
    const subscriptions = this.records.clear();
    this.renewConnectPromise();
    this.setState({ state: 'disconnected', attempt });
    for (const subscription of subscriptions) subscription.markClosed();
    this.emit('close');
    return closed;
  }

  private renewConnectPromise(): void {
    if (this.connectDeferred.settled) this.connectDeferred = deferred();
  }

  private setState(change: StateChange): void {
    this.state = change.state;
    this.emit('state', change);
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private connect(): void {
    const previous = this.socket;
    this.socket = undefined;
    if (previous) void this.closeSocket(previous);
    this.setState({ state: this.state === 'reconnecting' ? 'reconnecting' : 'connecting', attempt: this.attempts });
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(this.serverURL);
    } catch (error) {
      this.emit('error', new SocketError(`Cannot open a WebSocket to ${this.serverURL}: ${String(error)}`));
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket === this.socket) this.sendConnect();
    };
    socket.onmessage = ((event: { data: unknown }) => {
      if (socket === this.socket) this.handleMessage(event.data);
    }) as (event: never) => void;
    socket.onerror = () => {
      if (socket !== this.socket) return;
      this.emit('error', new SocketError(`WebSocket error on ${this.serverURL}`));
      // Implementations follow an error with a close; a socket already closed will not get one.
      if (socket.readyState === SOCKET_CLOSED) this.handleSocketClosed(socket, { code: 1006, reason: '' });
    };
    socket.onclose = ((event: SocketCloseEvent) => this.handleSocketClosed(socket, event)) as (event: never) => void;
  }

  /** Detaches a socket so none of its late events reach the client, then closes it. */
  private closeSocket(socket: WebSocketLike): Promise<void> {
    socket.onopen = null;
    socket.onmessage = null;
    // `ws` emits an error when a connecting socket is aborted; an unhandled one would crash Node.
    socket.onerror = () => undefined;
    if (socket.readyState === SOCKET_CLOSED) {
      socket.onclose = null;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      socket.onclose = () => resolve();
      if (socket.readyState === SOCKET_CONNECTING || socket.readyState === SOCKET_OPEN) socket.close(1000);
    });
  }

  private handleSocketClosed(socket: WebSocketLike, event: SocketCloseEvent): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.state === 'disconnected') return;
    this.renewConnectPromise();
    this.setState({ state: 'closed', attempt: this.attempts, code: event.code, reason: event.reason });
    this.forgetServerSide();
    this.emit('close', { code: event.code, reason: event.reason });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'disconnected') return;
    this.clearReconnectTimer();
    // The delay is the back-off of the attempt that failed; the state names the attempt it schedules, so the
    // countdown ("attempt 2 in 0.7 s") and the start ("attempt 2") agree.
    const delayMs = backoffDelayMs(this.attempts, this.random);
    this.attempts++;
    this.setState({ state: 'reconnecting', attempt: this.attempts, delayMs, nextRetryAt: Date.now() + delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, delayMs);
  }

  private send(frame: ClientFrame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) return;
    const text = JSON.stringify(frame);
    socket.send(text);
    if (this.listenerCount('frame') > 0) this.emit('frame', { direction: 'sent', text, time: Date.now() });
  }

  private sendConnect(): void {
    // Key order as the SDK sends it; absent values are left out.
    const frame: ClientFrame = { op: 'connect', applicationId: this.applicationId };
    if (this.javascriptKey) frame.javascriptKey = this.javascriptKey;
    if (this.masterKey) frame.masterKey = this.masterKey;
    if (this.sessionToken) frame.sessionToken = this.sessionToken;
    if (this.installationId && this.sendInstallationId) frame.installationId = this.installationId;
    this.send(frame);
  }

  /** The socket is gone and the server forgot its subscriptions: pending unsubscribes are done, the rest resubscribe. */
  private forgetServerSide(): void {
    for (const subscription of this.records.connectionLost()) subscription.markClosed();
    for (const subscription of this.records.liveSubscriptions()) subscription.markDisconnected();
  }

  private sendSubscribe(subscription: Subscription, op: 'subscribe' | 'update'): void {
    subscription.markPending();
    this.records.markSent(subscription.id);
    const frame: ClientFrame = { op, requestId: subscription.id, query: subscription.query };
    if (subscription.sessionToken) frame.sessionToken = subscription.sessionToken;
    this.send(frame);
  }

  private handleMessage(data: unknown): void {
    const observed = this.listenerCount('frame') > 0;
    if (typeof data !== 'string') {
      const note = describeBinary(data);
      if (observed) this.emit('frame', { direction: 'received', text: note, time: Date.now() });
      this.emit('error', new InvalidFrameError('binary frames are not part of the protocol', note));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      json = undefined;
    }
    const checked: FrameCheck<ServerFrame> = json === undefined ? { ok: false, reason: NOT_JSON } : checkServerFrame(json);
    if (observed) this.emit('frame', { direction: 'received', text: data, time: Date.now(), json, checked });
    if (!checked.ok) {
      this.emit('error', new InvalidFrameError(checked.reason, data));
      return;
    }
    this.handleFrame(checked.frame);
  }

  private handleFrame(frame: ServerFrame): void {
    switch (frame.op) {
      case 'connected':
        return this.handleConnected(frame.clientId);
      case 'subscribed': {
        const id = frame.requestId;
        const next = this.records.confirm(id);
        if (next === 'unsubscribe') {
          this.send({ op: 'unsubscribe', requestId: id });
          return;
        }
        const subscription = this.records.liveSubscription(id);
        if (!subscription) return;
        this.attempts = 1;
        subscription.markSubscribed(this.responseOf(frame));
        if (next === 'update') this.sendSubscribe(subscription, 'update');
        return;
      }
      case 'unsubscribed':
        this.records.finishLeaving(frame.requestId)?.markClosed();
        return;
      case 'error':
        return this.handleErrorFrame(frame);
      case 'result':
        this.records.liveSubscription(frame.requestId)?.emit('result', frame.results);
        return;
      default:
        return this.handleEvent(frame);
    }
  }

  private responseOf(frame: ServerFrame): EventResponse {
    const response: EventResponse = { clientId: frame.clientId };
    if (frame.installationId !== undefined) response.installationId = frame.installationId;
    return response;
  }

  private handleConnected(clientId: string | number | undefined): void {
    // A second `connected` on the same socket must not send the subscriptions twice.
    if (this.state === 'connected') {
      this.id = clientId;
      return;
    }
    this.id = clientId;
    this.connectedOnce = true;
    this.connectDeferred.resolve();
    // With nothing to confirm, a successful connect is the only sign of health the back-off can use.
    if (!this.records.hasLive()) this.attempts = 1;
    this.setState({ state: 'connected', attempt: this.attempts });
    for (const subscription of this.records.liveSubscriptions()) this.sendSubscribe(subscription, 'subscribe');
    this.emit('open');
  }

  private handleErrorFrame(frame: ErrorFrame): void {
    const id = frame.requestId;
    if (id != null) this.records.refuse(id)?.markClosed();
    const subscription = id == null ? undefined : this.records.liveSubscription(id);
    if (subscription) subscription.markError(frame);
    else if (id == null) this.emit('error', frame.error, frame);

    const legacyServer = frame.error === LEGACY_SERVER_ERROR && this.sendInstallationId && !!this.installationId;
    if (legacyServer) this.sendInstallationId = false;

    if (!this.connectedOnce && !legacyServer) {
      // Rejected before the first `connected` (wrong key, beforeConnect): retrying would be refused again.
      const socket = this.socket;
      this.socket = undefined;
      if (socket) void this.closeSocket(socket);
      this.clearReconnectTimer();
      this.connectDeferred.reject(new Error(frame.error));
      this.renewConnectPromise();
      this.setState({ state: 'disconnected', attempt: this.attempts });
      this.emit('close');
      return;
    }
    if (frame.reconnect || legacyServer) {
      // Unlike the SDK, the old socket is closed before a new one is opened.
      const socket = this.socket;
      this.socket = undefined;
      if (socket) void this.closeSocket(socket);
      this.forgetServerSide();
      this.scheduleReconnect();
    }
  }

  private handleEvent(frame: EventFrame): void {
    const subscription = this.records.liveSubscription(frame.requestId);
    if (!subscription) return;
    subscription.countEvent(frame.op);
    const response = this.responseOf(frame);
    switch (frame.op) {
      case 'create':
      case 'delete':
        subscription.emit(frame.op, frame.object, response);
        return;
      default:
        subscription.emit(frame.op, frame.object, frame.original, response);
    }
  }
}

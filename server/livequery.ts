// The LiveQuery server: reads client frames, keeps clients and shared subscriptions, and turns saves and deletes
// into create / enter / update / leave / delete events, exactly as Parse Server 9.10's ParseLiveQueryServer does.

import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import type { ConnectFrame, EventOp, ParseJSON, SubscribeFrame, UnsubscribeFrame } from '../src/livequery/protocol.js';
import { ErrorCode, ParseError } from './errors.js';
import type { TokenAuth } from './lq-auth.js';
import { LiveClient, pushError, type SubscriptionInfo } from './lq-client.js';
import { LiveSocket } from './lq-socket.js';
import { queryHash, Subscription } from './lq-subscription.js';
import { matchesQuery } from '../src/livequery-rules/matcher.js';
import { hideProtectedFields } from '../src/livequery-rules/payload.js';
import { readAccess } from '../src/livequery-rules/read-access.js';
import { watchedFieldChanged } from '../src/livequery-rules/watch.js';
import { validateRequest } from './request-schema.js';

type Bag = Record<string, unknown>;

export interface LiveQueryConfig {
  /** Parse Server's `keyPairs`: when not empty, a connect needs one matching key. */
  keyPairs: ReadonlyMap<string, string>;
  websocketTimeout: number;
  auth: TokenAuth;
}

export interface ClientSummary {
  /** The socket's id (stable for the connection's life). */
  id: string;
  /** The LiveQuery clientId once `connect` succeeded, else null. */
  clientId: string | null;
  subscriptions: { requestId: number; className: string }[];
}

const SCRIPT_FAILED = 141;

/** How Parse Server reports a failure inside subscribe: its own ParseErrors as is, anything else as 141. */
function resolveError(error: unknown): { code: number; message: string } {
  if (error instanceof ParseError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: SCRIPT_FAILED, message: error.message };
  if (typeof error === 'string') return { code: SCRIPT_FAILED, message: error };
  return { code: SCRIPT_FAILED, message: 'Script failed.' };
}

/** Subscribe-time checks of `$or/$and/$nor` shapes and `$regex` patterns (error 102, no reconnect). */
function validateQueryConstraints(where: unknown): void {
  if (typeof where !== 'object' || where === null) return;
  const bag = where as Bag;
  for (const op of ['$or', '$and', '$nor']) {
    const branches = bag[op];
    if (branches !== undefined && !Array.isArray(branches)) throw new ParseError(ErrorCode.INVALID_QUERY, `${op} must be an array`);
    if (Array.isArray(branches)) branches.forEach(validateQueryConstraints);
  }
  for (const key of Object.keys(bag)) {
    const constraint = bag[key];
    if (typeof constraint !== 'object' || constraint === null) continue;
    const { $regex: regex, $options: options } = constraint as Bag;
    if (regex === undefined) continue;
    const regexLike =
      regex !== null && typeof regex === 'object' && typeof (regex as Bag).source === 'string' && typeof (regex as Bag).flags === 'string';
    if (typeof regex !== 'string' && !regexLike) {
      throw new ParseError(ErrorCode.INVALID_QUERY, 'Invalid regular expression: $regex must be a string or RegExp');
    }
    const pattern = regexLike ? (regex as Bag).source : regex;
    const flags = regexLike ? (regex as Bag).flags : options || '';
    try {
      new RegExp(pattern as string, flags as string);
    } catch (error) {
      throw new ParseError(ErrorCode.INVALID_QUERY, `Invalid regular expression: ${(error as Error).message}`);
    }
  }
}

/** Protected `_User` fields: email and authData are only for the user itself and the master key. */
function filterSensitive(object: Bag | null, client: LiveClient, userId: string | undefined): Bag | null {
  return object && hideProtectedFields(object, { master: client.hasMasterKey, userId });
}

const clone = <T>(value: T): T => structuredClone(value);

export class LiveQueryServer {
  private readonly clients = new Map<string, LiveClient>();
  /** className → query hash → subscription, in creation order (which is also event order). */
  private readonly subscriptions = new Map<string, Map<string, Subscription>>();
  readonly sockets = new Set<LiveSocket>();
  private socketCount = 0;
  /** Called for each new socket (the stall fault holds sockets accepted during a stall). */
  onSocket?: (socket: LiveSocket) => void;
  /** Called after each confirmed subscribe or update (`npm run server -- --replay` plays recorded events into it). */
  onSubscribed?: (client: LiveClient, requestId: number, info: SubscriptionInfo) => void;

  constructor(private readonly config: LiveQueryConfig) {}

  accept(ws: WebSocket): LiveSocket {
    const socket = new LiveSocket(`ws-${++this.socketCount}`, ws);
    this.sockets.add(socket);
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData, isBinary: boolean) =>
      socket.whenReleased(() => {
        try {
          this.onMessage(socket, data, isBinary);
        } catch {
          // A pathological frame (e.g. nesting deep enough to exhaust the stack) is dropped, never fatal.
        }
      }),
    );
    ws.on('close', () => this.onClose(socket));
    socket.startPings(this.config.websocketTimeout);
    this.onSocket?.(socket);
    return socket;
  }

  /** Drops every socket at once and forgets all clients and subscriptions (a restart). */
  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.clients.clear();
    this.subscriptions.clear();
  }

  /** Every session token an event of this class may be checked against (subscriptions' and their connections'). */
  tokensFor(className: string): Set<string> {
    const tokens = new Set<string>();
    for (const subscription of this.subscriptions.get(className)?.values() ?? []) {
      for (const [clientId, requestIds] of subscription.clientRequestIds) {
        const client = this.clients.get(clientId);
        if (!client) continue;
        if (client.sessionToken) tokens.add(client.sessionToken);
        for (const requestId of requestIds) {
          const token = client.subscriptionInfos.get(requestId)?.sessionToken;
          if (token) tokens.add(token);
        }
      }
    }
    return tokens;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  describe(): ClientSummary[] {
    return [...this.sockets].map((socket) => {
      const client = socket.clientId ? this.clients.get(socket.clientId) : undefined;
      const subscriptions = [...(client?.subscriptionInfos ?? [])].map(([requestId, info]) => ({
        requestId,
        className: info.subscription.className,
      }));
      return { id: socket.id, clientId: socket.clientId ?? null, subscriptions };
    });
  }

  private onClose(socket: LiveSocket): void {
    socket.stopPings();
    this.sockets.delete(socket);
    for (const clientId of socket.clientIds) {
      const client = this.clients.get(clientId);
      if (!client) continue;
      this.clients.delete(clientId);
      for (const [requestId, info] of client.subscriptionInfos) this.detach(info.subscription, clientId, requestId);
    }
  }

  private onMessage(socket: LiveSocket, data: RawData, isBinary: boolean): void {
    let request: unknown;
    // Parse Server only JSON-parses non-empty text; binary frames and empty text reach the validator as objects.
    const text = isBinary ? '' : data.toString();
    if (text === '') {
      request = {};
    } else {
      try {
        request = JSON.parse(text);
      } catch {
        return; // not JSON: logged and dropped by Parse Server, no reply
      }
    }
    const problem = validateRequest(request);
    if (problem) {
      pushError(socket, 1, problem);
      return;
    }
    const frame = request as { op: string };
    switch (frame.op) {
      case 'connect':
        this.connect(socket, frame as ConnectFrame);
        break;
      case 'subscribe':
        void this.subscribe(socket, frame as SubscribeFrame);
        break;
      case 'update':
        this.unsubscribe(socket, frame as SubscribeFrame, false);
        void this.subscribe(socket, frame as SubscribeFrame);
        break;
      case 'unsubscribe':
        this.unsubscribe(socket, frame as UnsubscribeFrame, true);
        break;
      default:
        pushError(socket, 3, 'Get unknown operation');
    }
  }

  private keysValid(frame: ConnectFrame): boolean {
    const { keyPairs } = this.config;
    if (keyPairs.size === 0) return true;
    const provided = frame as unknown as Bag;
    for (const [key, secret] of keyPairs) {
      if (provided[key] && provided[key] === secret) return true;
    }
    return false;
  }

  private connect(socket: LiveSocket, frame: ConnectFrame): void {
    if (!this.keysValid(frame)) {
      pushError(socket, 4, 'Key in request is not valid');
      return;
    }
    const master = this.config.keyPairs.get('masterKey');
    const hasMasterKey = master !== undefined && Object.prototype.hasOwnProperty.call(frame, 'masterKey') && frame.masterKey === master;
    const client = new LiveClient(randomUUID(), socket, hasMasterKey, frame.sessionToken, frame.installationId);
    socket.clientId = client.id;
    socket.clientIds.push(client.id);
    this.clients.set(client.id, client);
    client.push('connected');
  }

  /** Removes one (clientId, requestId) from a shared subscription, dropping the subscription when nobody is left. */
  private detach(subscription: Subscription, clientId: string, requestId: number): void {
    subscription.remove(clientId, requestId);
    const byHash = this.subscriptions.get(subscription.className);
    if (!byHash) return;
    if (subscription.isEmpty) byHash.delete(subscription.hash);
    if (byHash.size === 0) this.subscriptions.delete(subscription.className);
  }

  private async subscribe(socket: LiveSocket, frame: SubscribeFrame): Promise<void> {
    if (socket.clientId === undefined) {
      pushError(socket, 2, 'Can not find this client, make sure you connect to server before subscribing');
      return;
    }
    const client = this.clients.get(socket.clientId);
    if (!client) return;
    const { requestId, query } = frame;
    const { className } = query;
    try {
      // Parse Server answers after loading its schema; frames that arrive meanwhile are handled first.
      await Promise.resolve();
      await Promise.resolve();
      if (!this.clients.has(client.id)) return; // the socket closed meanwhile
      if (className === '_Session') {
        const token = frame.sessionToken || client.subscriptionInfos.get(requestId)?.sessionToken || client.sessionToken;
        const resolved = token ? this.config.auth.resolve(token) : undefined;
        const userId = (resolved instanceof Promise ? await resolved : resolved)?.userId;
        if (!this.clients.has(client.id)) return;
        if (!userId) {
          pushError(socket, ErrorCode.INVALID_SESSION_TOKEN, 'Invalid session token', false, requestId);
          return;
        }
        query.where.user = { __type: 'Pointer', className: '_User', objectId: userId };
      } else {
        // Parse Server resolves the subscriber's token while subscribing (for its class-level permission check).
        const token = frame.sessionToken || client.subscriptionInfos.get(requestId)?.sessionToken || client.sessionToken;
        const warming = token ? this.config.auth.warm(token) : null;
        if (warming) {
          await warming;
          if (!this.clients.has(client.id)) return;
        }
      }
      validateQueryConstraints(query.where);
      const previous = client.subscriptionInfos.get(requestId);
      if (previous) this.detach(previous.subscription, client.id, requestId);

      const hash = queryHash(className, query.where);
      let byHash = this.subscriptions.get(className);
      if (!byHash) {
        byHash = new Map();
        this.subscriptions.set(className, byHash);
      }
      let subscription = byHash.get(hash);
      if (!subscription) {
        subscription = new Subscription(className, query.where, hash);
        byHash.set(hash, subscription);
      }
      const info: SubscriptionInfo = { subscription };
      if (query.keys) info.keys = query.keys;
      if (query.watch) info.watch = query.watch;
      if (frame.sessionToken) info.sessionToken = frame.sessionToken;
      client.subscriptionInfos.set(requestId, info);
      subscription.add(client.id, requestId);
      client.push('subscribed', requestId);
      this.onSubscribed?.(client, requestId, info);
    } catch (error) {
      const { code, message } = resolveError(error);
      pushError(socket, code, message, false, requestId);
    }
  }

  private unsubscribe(socket: LiveSocket, frame: UnsubscribeFrame | SubscribeFrame, notify: boolean): void {
    if (socket.clientId === undefined) {
      pushError(socket, 2, 'Can not find this client, make sure you connect to server before unsubscribing');
      return;
    }
    const { requestId } = frame;
    const client = this.clients.get(socket.clientId);
    if (!client) {
      pushError(socket, 2, `Cannot find client with clientId ${socket.clientId}. Make sure you connect to live query server before unsubscribing.`);
      return;
    }
    const info = client.subscriptionInfos.get(requestId);
    if (!info) {
      pushError(
        socket,
        2,
        `Cannot find subscription with clientId ${socket.clientId} subscriptionId ${requestId}. Make sure you subscribe to live query server before unsubscribing.`,
      );
      return;
    }
    client.subscriptionInfos.delete(requestId);
    this.detach(info.subscription, client.id, requestId);
    if (notify) client.push('unsubscribed', requestId);
  }

  // ---- events ----

  private matches(object: Bag | null, subscription: Subscription): boolean {
    if (!object) return false;
    return matchesQuery(clone(object), subscription.where);
  }

  /** Can this subscription read an object with this ACL (public, master, or the subscription's / connection's token)? */
  private canRead(acl: unknown, client: LiveClient, requestId: number): boolean {
    if (readAccess(acl, { master: client.hasMasterKey }).readable) return true;
    const info = client.subscriptionInfos.get(requestId);
    if (!info) return false;
    return this.tokenCanRead(acl, info.sessionToken) || this.tokenCanRead(acl, client.sessionToken);
  }

  private tokenCanRead(acl: unknown, token: string | undefined): boolean {
    if (!token) return false;
    const auth = this.config.auth.get(token);
    return readAccess(acl, { userId: auth.userId, roles: () => auth.roles() }).readable;
  }

  private subscriberUserId(client: LiveClient, requestId: number): string | undefined {
    const token = client.subscriptionInfos.get(requestId)?.sessionToken;
    return token ? this.config.auth.get(token).userId : undefined;
  }

  /** Fans one delivery callback out over every (client, requestId) of the class's subscriptions that match. */
  private forEachSubscriber(
    className: string,
    evaluate: (subscription: Subscription) => boolean[] | null,
    deliver: (client: LiveClient, requestId: number, matched: boolean[]) => void,
  ): void {
    const byHash = this.subscriptions.get(className);
    if (!byHash) return;
    for (const subscription of [...byHash.values()]) {
      let matched: boolean[] | null;
      try {
        matched = evaluate(subscription);
      } catch {
        continue; // Parse Server logs the matcher error and skips this subscription
      }
      if (!matched) continue;
      for (const [clientId, requestIds] of [...subscription.clientRequestIds]) {
        const client = this.clients.get(clientId);
        if (!client) continue;
        for (const requestId of [...requestIds]) {
          try {
            deliver(client, requestId, matched);
          } catch (error) {
            // Parse Server reports a failure while preparing one subscriber's event to that subscriber only.
            const { code, message } = resolveError(error);
            pushError(client.sink, code, message, false, requestId);
          }
        }
      }
    }
  }

  /** afterSave: `original` is null for a create. */
  publishSave(current: ParseJSON, original: ParseJSON | null): void {
    this.forEachSubscriber(
      String(current.className),
      (subscription) => [this.matches(original, subscription), this.matches(current, subscription)],
      (client, requestId, [originalMatches, currentMatches]) => {
        const originalReadable = originalMatches && this.canRead(original?.ACL, client, requestId);
        const currentReadable = currentMatches && this.canRead(current.ACL, client, requestId);
        let type: EventOp;
        if (originalReadable && currentReadable) type = 'update';
        else if (originalReadable) type = 'leave';
        else if (currentReadable) type = original ? 'enter' : 'create';
        else return;
        const watch = client.subscriptionInfos.get(requestId)?.watch;
        if (watch && (type === 'update' || type === 'create') && !watchedFieldChanged(watch, current, original)) return;

        let object: Bag = clone(current);
        let previous: Bag | null = original ? clone(original) : null;
        // An ACL change must not leak the state the subscriber is not allowed to read: an ACL-loss leave sends
        // the last readable (original) state as `object`, an ACL-grant enter sends no `original`.
        if (type === 'leave' && original) {
          const stillReadable = currentMatches ? false : this.canRead(current.ACL, client, requestId);
          if (!stillReadable) object = clone(original);
        } else if (type === 'enter' && original) {
          const wasReadable = originalMatches ? false : this.canRead(original.ACL, client, requestId);
          if (!wasReadable) previous = null;
        }
        const userId = this.subscriberUserId(client, requestId);
        client.push(type, requestId, filterSensitive(object, client, userId) ?? undefined, filterSensitive(previous, client, userId));
      },
    );
  }

  /** afterDelete. */
  publishDelete(object: ParseJSON): void {
    this.forEachSubscriber(
      String(object.className),
      (subscription) => (this.matches(object, subscription) ? [true] : null),
      (client, requestId) => {
        if (!this.canRead(object.ACL, client, requestId)) return;
        const userId = this.subscriberUserId(client, requestId);
        client.push('delete', requestId, filterSensitive(clone(object), client, userId) ?? undefined);
      },
    );
  }
}

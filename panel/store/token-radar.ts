// The token radar: asks the server whose each session token is (`/users/me`) when it appears (a keyring entry, a
// subscription's token), on demand and periodically while the panel is open; caches the answer per server and
// token; flags every live subscription whose token was revoked or has expired, once, with a timeline marker.
//
// It runs in the panel (an extension page): the panel already holds the tokens it shows masked, and its REST calls
// go from the extension's origin straight to the server, so no token reaches the inspected page. Markers and
// summaries name a token by its keyring name and its user, never by its value.

import { computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import { serverKeyOf, type TokenEntry } from '../../src/keyring.js';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { MarkerOf, RecordDraft, RecordSource, TokenInvalidState } from '../../src/timeline/record.js';
import { Redactor } from '../../src/timeline/redact.js';
import type { PageSocketView, ServerView } from '../../src/views.js';
import { RestError, restURLOf, type RestClient, type RestCredentials, type TokenOwner } from '../../src/parse-rest/rest-client.js';
import { pageSubscriptionProvenance, serverSubscriptionProvenance, tokenCheckKey, type TokenProvenance } from './token-provenance.js';

/** The Parse docs' own words on a session token that no longer holds (LiveQuery keeps the subscription going). */
export const PARSE_TOKEN_ADVICE =
  'When you log out or the sessionToken you are using is invalid, you should unsubscribe and subscribe again. Otherwise, you may face a security issue.';

/** How often tokens are checked while the panel is open, by default. */
export const DEFAULT_TOKEN_CHECK_SECONDS = 60;
export const isTokenCheckSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 24 * 3600;

/**
 * Tokens checked at most (the keyring's first, then the subscriptions'): a page that opens sockets with thousands of
 * made-up tokens must not make the panel send thousands of requests a minute.
 */
export const MAX_CHECKED_TOKENS = 100;

/** What the server said of a token at `checkedAt`. `unknown`: it could not be asked (unreachable, not Parse, …). */
export type TokenCheck =
  | { state: 'valid'; owner: TokenOwner; checkedAt: number }
  | { state: 'revoked'; detail: string; checkedAt: number }
  | { state: 'expired'; owner?: TokenOwner; detail: string; checkedAt: number }
  | { state: 'unknown'; reason: string; checkedAt: number };

export interface TokenStatus {
  /** The latest answer (kept while a new check runs). */
  check?: TokenCheck;
  checking: boolean;
}

/** A live subscription whose token no longer holds. */
export interface TokenAlert {
  subscriptionKey: string;
  state: TokenInvalidState;
  provenance: TokenProvenance;
  check: Extract<TokenCheck, { state: 'revoked' | 'expired' }>;
  /** The keyring name of the token, when it is in the keyring. */
  tokenLabel?: string;
  /** Set for a subscription the panel owns (it can resubscribe it); a page's own belongs to its app. */
  owned?: { serverId: string; subscriptionId: string };
}

export interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface TokenRadarDeps {
  rest: Pick<RestClient, 'me'>;
  /** Epoch ms: when a check ran, and whether a session's expiry has passed. */
  now(): number;
  /** For the periodic check; without, tokens are checked only when they appear and on demand. */
  timers?: Timers;
  servers: ReadonlySignal<ServerView[]>;
  sockets: ReadonlySignal<PageSocketView[]>;
  keyring: ReadonlySignal<TokenEntry[]>;
  /** Adds the panel's own records (a `tokenInvalid` marker) to the timeline. */
  addRecords(drafts: readonly RecordDraft[]): void;
  /** Resubscribes a panel subscription with another token (the token-switch path; the timeline says so). */
  setSubscriptionToken(serverId: string, subscriptionId: string, token: string | undefined, tokenLabel: string): Promise<void>;
  settings?: { tokenCheckSeconds?: number };
}

interface Target {
  key: string;
  creds: RestCredentials;
}

interface LiveSubscription {
  key: string;
  provenance: TokenProvenance;
  source: RecordSource;
  className: string;
  requestId?: number;
  owned?: { serverId: string; subscriptionId: string };
}

/** The answer of `/users/me` (or its failure) as a check. */
export function classifyCheck(result: { owner: TokenOwner } | { error: unknown }, checkedAt: number): TokenCheck {
  if ('owner' in result) {
    const expires = result.owner.expiresAt === undefined ? NaN : Date.parse(result.owner.expiresAt);
    if (expires <= checkedAt) return { state: 'expired', owner: result.owner, detail: `the session expired at ${result.owner.expiresAt}`, checkedAt };
    return { state: 'valid', owner: result.owner, checkedAt };
  }
  const error = result.error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RestError && error.code === 209) {
    // Parse Server answers an expired session with 209 "Session token is expired."
    return /expired/i.test(message) ? { state: 'expired', detail: message, checkedAt } : { state: 'revoked', detail: message, checkedAt };
  }
  if (error instanceof RestError && error.status !== undefined) return { state: 'unknown', reason: `the server answered ${message}`, checkedAt };
  return { state: 'unknown', reason: message, checkedAt };
}

const STATE_WORDS: Record<TokenInvalidState, string> = { revoked: 'was revoked (the server refused it)', expired: 'has expired' };

export function createTokenRadarStore(deps: TokenRadarDeps) {
  const statuses = signal<ReadonlyMap<string, TokenStatus>>(new Map());
  const checkSeconds = signal(isTokenCheckSeconds(deps.settings?.tokenCheckSeconds) ? deps.settings.tokenCheckSeconds : DEFAULT_TOKEN_CHECK_SECONDS);
  const inFlight = new Map<string, Promise<TokenCheck>>();

  const setStatus = (key: string, status: TokenStatus) => {
    const next = new Map(statuses.peek());
    next.set(key, status);
    statuses.value = next;
  };

  /** Asks the server whose the token is; one request per server and token at a time. */
  function check(creds: RestCredentials): Promise<TokenCheck> {
    const key = tokenCheckKey(creds);
    const running = inFlight.get(key);
    if (running) return running;
    setStatus(key, { check: statuses.peek().get(key)?.check, checking: true });
    const done = deps.rest
      .me(creds)
      .then(
        (owner) => classifyCheck({ owner }, deps.now()),
        (error: unknown) => classifyCheck({ error }, deps.now()),
      )
      .then((result) => {
        // The server's own words could quote what it was sent: never keep the token in them.
        const redactor = new Redactor(creds.sessionToken ? [creds.sessionToken] : []);
        if (result.state === 'unknown') result.reason = redactor.text(result.reason);
        else if (result.state !== 'valid') result.detail = redactor.text(result.detail);
        inFlight.delete(key);
        setStatus(key, { check: result, checking: false });
        return result;
      });
    inFlight.set(key, done);
    return done;
  }

  const live = computed<LiveSubscription[]>(() => {
    const servers = deps.servers.value;
    const out: LiveSubscription[] = [];
    for (const server of servers) {
      for (const sub of server.subscriptions) {
        if (sub.state !== 'subscribed') continue;
        out.push({
          key: subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: sub.id }),
          provenance: serverSubscriptionProvenance(server, sub),
          source: { type: 'server', serverId: server.id },
          className: sub.query.className,
          requestId: sub.requestId,
          owned: { serverId: server.id, subscriptionId: sub.id },
        });
      }
    }
    for (const socket of deps.sockets.value) {
      if (socket.state !== 'open') continue;
      for (const sub of socket.subscriptions) {
        if (sub.state !== 'subscribed') continue;
        out.push({
          key: subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId }),
          provenance: pageSubscriptionProvenance(socket, sub, servers),
          source: { type: 'pageSocket', socketId: socket.id, frameId: socket.frameId },
          className: sub.query.className,
          requestId: sub.requestId,
        });
      }
    }
    return out;
  });

  /** Every token worth checking: the keyring's (of servers the panel knows) and every subscription's. */
  const targets = computed<Target[]>(() => {
    const byKey = new Map<string, Target>();
    const add = (creds: RestCredentials | undefined) => {
      if (creds?.sessionToken) byKey.set(tokenCheckKey(creds), { key: tokenCheckKey(creds), creds });
    };
    const servers = deps.servers.value;
    for (const entry of deps.keyring.value) add(keyringCreds(entry, servers));
    for (const server of servers) for (const sub of server.subscriptions) add(serverSubscriptionProvenance(server, sub).creds);
    for (const socket of deps.sockets.value) for (const sub of socket.subscriptions) add(pageSubscriptionProvenance(socket, sub, servers).creds);
    return [...byKey.values()].slice(0, MAX_CHECKED_TOKENS);
  });

  function labelOf(provenance: TokenProvenance): string | undefined {
    if (!provenance.token) return undefined;
    return deps.keyring.value.find((e) => e.token === provenance.token && (provenance.serverKey === undefined || e.serverKey === provenance.serverKey))?.name;
  }

  const alerts = computed<ReadonlyMap<string, TokenAlert>>(() => {
    const map = new Map<string, TokenAlert>();
    const known = statuses.value;
    for (const sub of live.value) {
      const creds = sub.provenance.creds;
      const check = creds ? known.get(tokenCheckKey(creds))?.check : undefined;
      if (check?.state !== 'revoked' && check?.state !== 'expired') continue;
      const alert: TokenAlert = { subscriptionKey: sub.key, state: check.state, provenance: sub.provenance, check };
      const tokenLabel = labelOf(sub.provenance);
      if (tokenLabel) alert.tokenLabel = tokenLabel;
      if (sub.owned) alert.owned = sub.owned;
      map.set(sub.key, alert);
    }
    return map;
  });

  /** Per subscription, what was flagged in the timeline (token and state): each is said once, until it changes. */
  const flagged = new Map<string, string>();

  function markerDraft(sub: LiveSubscription, alert: TokenAlert): RecordDraft {
    const owner = alert.check.state === 'expired' ? alert.check.owner : undefined;
    const entry = deps.keyring.peek().find((e) => e.token === sub.provenance.token && (sub.provenance.serverKey === undefined || e.serverKey === sub.provenance.serverKey));
    const username = owner?.username ?? entry?.username;
    const userId = owner?.objectId ?? entry?.userId;
    const marker: MarkerOf<'tokenInvalid'> = {
      type: 'tokenInvalid',
      state: alert.state,
      applies: sub.provenance.source === 'connection' ? 'connection' : 'subscription',
    };
    if (alert.tokenLabel) marker.tokenLabel = alert.tokenLabel;
    if (username) marker.username = username;
    if (userId) marker.userId = userId;
    if (owner?.expiresAt) marker.expiresAt = owner.expiresAt;
    marker.detail = alert.check.detail;
    const whose = alert.tokenLabel ? `"${alert.tokenLabel}"` : username ? `${username}'s` : 'a';
    const which = marker.applies === 'connection' ? "the connection's session token" : 'its session token';
    const draft: RecordDraft = {
      time: deps.now(),
      source: sub.source,
      kind: 'error',
      label: `token ${alert.state}`,
      marker,
      subscriptionKey: sub.key,
      className: sub.className,
      summary: `${sub.className}: ${which} (${whose}) ${STATE_WORDS[alert.state]}; the subscription stays live but no longer gets what only that user could read. Unsubscribe and subscribe again.`,
    };
    if (sub.requestId !== undefined) draft.requestId = sub.requestId;
    return draft;
  }

  // New tokens are checked as they appear; flagged subscriptions get their timeline marker.
  const disposers = [
    effect(() => {
      const known = statuses.peek();
      for (const target of targets.value) if (!known.has(target.key) && !inFlight.has(target.key)) void check(target.creds);
    }),
    effect(() => {
      const current = alerts.value;
      const drafts: RecordDraft[] = [];
      for (const sub of live.peek()) {
        const alert = current.get(sub.key);
        if (!alert) continue;
        const signature = `${tokenCheckKey(sub.provenance.creds!)}|${alert.state}`;
        if (flagged.get(sub.key) === signature) continue;
        flagged.set(sub.key, signature);
        drafts.push(markerDraft(sub, alert));
      }
      for (const key of [...flagged.keys()]) if (!current.has(key)) flagged.delete(key);
      if (drafts.length) deps.addRecords(drafts);
    }),
  ];

  let timer: unknown;
  function arm(): void {
    const timers = deps.timers;
    if (!timers) return;
    if (timer !== undefined) timers.clearInterval(timer);
    timer = timers.setInterval(() => void checkAll(), checkSeconds.peek() * 1000);
  }

  /** Checks every token again (the keyring's and every subscription's). */
  function checkAll(): Promise<TokenCheck[]> {
    return Promise.all(targets.peek().map((t) => check(t.creds)));
  }

  return {
    statuses,
    alerts,
    checkSeconds,
    check,
    checkAll,
    /** The latest answer for a token on a server, and whether a check runs. */
    statusOf(creds: RestCredentials | undefined): TokenStatus | undefined {
      return creds?.sessionToken ? statuses.value.get(tokenCheckKey(creds)) : undefined;
    },
    /** The REST credentials that check a keyring entry (undefined when no server of the panel has its key). */
    credsOfEntry(entry: TokenEntry): RestCredentials | undefined {
      return keyringCreds(entry, deps.servers.value);
    },
    alertOf(subscriptionKey: string): TokenAlert | undefined {
      return alerts.value.get(subscriptionKey);
    },
    /** Keyring tokens of the alert's server to resubscribe with: not the failing one, none known to fail; valid first. */
    replacementsFor(alert: TokenAlert): TokenEntry[] {
      const serverKey = alert.provenance.serverKey;
      const rank = (entry: TokenEntry) => {
        const creds = keyringCreds(entry, deps.servers.value);
        const state = creds ? statuses.value.get(tokenCheckKey(creds))?.check?.state : undefined;
        return state === 'valid' ? 0 : state === 'revoked' || state === 'expired' ? 2 : 1;
      };
      return deps.keyring.value
        .filter((e) => e.serverKey === serverKey && e.token !== alert.provenance.token && rank(e) < 2)
        .sort((a, b) => rank(a) - rank(b));
    },
    /** One click: resubscribes the flagged subscription with `entry`'s token (the timeline says so). */
    resubscribe(alert: TokenAlert, entry: TokenEntry): Promise<void> {
      if (!alert.owned) return Promise.reject(new Error("A page's own subscription can only be resubscribed by the page's app"));
      return deps.setSubscriptionToken(alert.owned.serverId, alert.owned.subscriptionId, entry.token, entry.name);
    },
    /** Starts the periodic check (every `checkSeconds`) while the panel is open. */
    start(): void {
      arm();
    },
    setCheckSeconds(seconds: number): void {
      if (!isTokenCheckSeconds(seconds)) return;
      checkSeconds.value = seconds;
      if (timer !== undefined) arm();
    },
    dispose(): void {
      disposers.forEach((dispose) => dispose());
      if (timer !== undefined) deps.timers?.clearInterval(timer);
      timer = undefined;
    },
  };
}

function keyringCreds(entry: TokenEntry, servers: readonly ServerView[]): RestCredentials | undefined {
  const server = servers.find((s) => serverKeyOf(s.spec) === entry.serverKey);
  if (!server) return undefined;
  const { spec } = server;
  return { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, sessionToken: entry.token };
}

export type TokenRadarStore = ReturnType<typeof createTokenRadarStore>;

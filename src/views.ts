// What the background shows the panel about servers, their subscriptions and the page's own sockets.

import type { ClientState } from './livequery/client.js';
import type { EventOp, QueryJSON } from './livequery/protocol.js';

export type SubscriptionViewState = 'pending' | 'subscribed' | 'error' | 'closed';
export type EventCounts = Record<EventOp, number>;

export const emptyCounts = (): EventCounts => ({ create: 0, enter: 0, update: 0, leave: 0, delete: 0 });

export interface ServerSpec {
  serverURL: string;
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
  /** Default session token for the connect frame. */
  sessionToken?: string;
  label?: string;
  /** The server's Parse REST root (login, seeding, checks); absent: derived from `serverURL` (ws→http, same path). */
  restURL?: string;
}

/** A server the user removed: its name and URL stay known for the records it left behind (no keys). */
export interface FormerServer {
  id: string;
  serverURL: string;
  label?: string;
}

export interface SubscriptionView {
  id: string;
  requestId?: number;
  query: QueryJSON;
  sessionToken?: string;
  state: SubscriptionViewState;
  lastError?: string;
  counts: EventCounts;
}

/**
 * Why a server's connection attempts are given up and retried with back-off: it answered with frames that are not
 * LiveQuery, or did not answer `connect` within the watchdog time.
 */
export type ConnectVerdict = 'notLiveQuery' | 'noAnswer';

/** What the server card and the timeline say while attempts are retried because of a verdict. */
export const VERDICT_TEXT: Record<ConnectVerdict, string> = {
  notLiveQuery: 'not a LiveQuery server',
  noAnswer: 'no answer',
};

/** How a server entry joins a fleet: `auto` (entries of the same app id and REST URL), `alone`, or a group made by hand. */
export type FleetChoice = { type: 'auto' } | { type: 'alone' } | { type: 'group'; groupId: string };
/** Connections one server entry may open to its URL (a load-balanced fleet behind one URL: each lands on some node). */
export const MAX_SOCKETS_PER_SERVER = 8;

export interface ServerView {
  id: string;
  spec: ServerSpec;
  /** Its fleet membership as the user chose it (absent: `auto`). */
  fleet?: FleetChoice;
  /** Connections the entry opens (absent: 1); the others are views of their own with `socketOf` set. */
  sockets?: number;
  /** Set on an entry's extra connection: the entry it belongs to and its number (2 or more). */
  socketOf?: { serverId: string; index: number };
  /** Whether the user wants it connected (a closed server keeps its subscriptions for the next open). */
  enabled: boolean;
  state: ClientState;
  attempt: number;
  nextRetryAt?: number;
  clientId?: string;
  lastError?: string;
  /** Set while attempts are retried because the endpoint is not (or does not answer as) a LiveQuery server. */
  verdict?: ConnectVerdict;
  subscriptions: SubscriptionView[];
}

export type PageSocketState = 'connecting' | 'open' | 'closing' | 'closed';

export interface PageSubscriptionView {
  requestId: number;
  /** The query as sent; only its class when `queryOmitted` says why the rest was not kept. */
  query: QueryJSON;
  /** Why the query's `where`, `keys` and `watch` were not kept: nested too deep, or the tab's query budget is spent. */
  queryOmitted?: 'tooDeep' | 'tooLarge';
  sessionToken?: string;
  /** The subscribe frame carried `"sessionToken": null` (Parse Server refuses it with code 1). */
  nullSessionToken?: true;
  state: SubscriptionViewState;
  lastError?: string;
  counts: EventCounts;
}

export interface PageSocketView {
  id: string;
  frameId: number;
  frameUrl: string;
  /** Which page load this socket belongs to (increments on each navigation of the tab's top frame). */
  generation: number;
  url: string;
  state: PageSocketState;
  applicationId?: string;
  clientId?: string;
  /** From the page's connect frame; shown masked, used to re-create the subscription as a panel-owned one. */
  sessionToken?: string;
  /** The connect frame carried `"sessionToken": null` (Parse Server refuses it with code 1). */
  nullSessionToken?: true;
  javascriptKey?: string;
  masterKey?: string;
  closeCode?: number;
  subscriptions: PageSubscriptionView[];
}

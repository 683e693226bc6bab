// The timeline's record model: one record per frame, connection state change, gap or restore, from any source.

import type { ClientState } from '../livequery/client.js';
import type { EventOp, QueryJSON } from '../livequery/protocol.js';

export type RecordKind = 'connection' | 'sent' | 'received' | EventOp | 'error' | 'gap';
export const RECORD_KINDS: readonly RecordKind[] = [
  'connection',
  'sent',
  'received',
  'create',
  'update',
  'enter',
  'leave',
  'delete',
  'error',
  'gap',
];

/** Where a record comes from: a connection the extension owns, or a WebSocket of the inspected page. */
export type RecordSource =
  | { type: 'connection'; serverId: string }
  | { type: 'page'; socketId: string; frameId: number };

export interface TimelineRecord {
  /** Monotonic within one background instance (`epoch`). */
  seq: number;
  epoch: string;
  /** Epoch milliseconds, fractional. */
  time: number;
  source: RecordSource;
  kind: RecordKind;
  /** Short name of what happened: an op (`subscribe`, `create`), or a state (`connected`, `reconnecting`). */
  label: string;
  /** Stable id of the subscription concerned: a connection's own id, or `<socketId>:<requestId>` for the page. */
  subscriptionKey?: string;
  requestId?: number;
  className?: string;
  objectId?: string;
  /** One line for the list. */
  summary: string;
  /** The raw frame text, or JSON of the details of a non-frame record. */
  raw?: string;
}

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

export interface ServerView {
  id: string;
  spec: ServerSpec;
  /** Whether the user wants it connected (a closed server keeps its subscriptions for the next open). */
  enabled: boolean;
  state: ClientState;
  attempt: number;
  nextRetryAt?: number;
  clientId?: string;
  lastError?: string;
  subscriptions: SubscriptionView[];
}

export type PageSocketState = 'connecting' | 'open' | 'closing' | 'closed';

export interface PageSubscriptionView {
  requestId: number;
  query: QueryJSON;
  sessionToken?: string;
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
  javascriptKey?: string;
  masterKey?: string;
  closeCode?: number;
  subscriptions: PageSubscriptionView[];
}

/** A record before the recorder numbers it. */
export type RecordDraft = Omit<TimelineRecord, 'seq' | 'epoch'>;

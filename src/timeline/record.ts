// The timeline's record model: one record per frame, connection state change, gap or restore, from any source.

import type { EventOp } from '../livequery/protocol.js';

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

/** A record before the recorder numbers it. */
export type RecordDraft = Omit<TimelineRecord, 'seq' | 'epoch'>;

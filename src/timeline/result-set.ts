// The live result set of one subscription, kept from its events (and `result` frames) keyed by objectId.

import { checkServerFrame, isPlainObject, type EventOp, type ParseJSON } from '../livequery/protocol.js';
import type { TimelineRecord } from './record.js';

export type ResultSet = Map<string, ParseJSON>;

const objectIdOf = (object: ParseJSON): string | undefined =>
  typeof object.objectId === 'string' && object.objectId !== '' ? object.objectId : undefined;

/**
 * Applies one event: `create`/`enter` add, `update` replaces (or adds: LiveQuery only sends updates for objects
 * that match, so an unknown one belongs in the set), `leave`/`delete` remove. Returns whether the set changed;
 * an object without an objectId changes nothing.
 */
export function applyEvent(set: ResultSet, op: EventOp, object: ParseJSON): boolean {
  const id = objectIdOf(object);
  if (id === undefined) return false;
  switch (op) {
    case 'create':
    case 'enter':
    case 'update':
      set.set(id, object);
      return true;
    case 'leave':
    case 'delete':
      return set.delete(id);
  }
}

/** Replaces the whole set with a list of objects (a query's results), in their order. */
export function seed(set: ResultSet, objects: readonly ParseJSON[]): void {
  set.clear();
  for (const object of objects) {
    const id = objectIdOf(object);
    if (id !== undefined) set.set(id, object);
  }
}

/**
 * Whether a record of a subscription empties its set: another session token (resubscribe) or a new query (the
 * update op, a sent frame) matches other objects.
 */
export function startsOver(record: TimelineRecord): boolean {
  if (record.marker) return record.marker.type === 'tokenSwitched';
  if (record.kind !== 'sent' || record.raw === undefined) return false;
  try {
    const json: unknown = JSON.parse(record.raw);
    return isPlainObject(json) && json.op === 'update';
  } catch {
    return false;
  }
}

/**
 * The result set of one subscription rebuilt from timeline records in order: its received event frames, and its
 * `result` frames (which replace the set). Its `update` ops and token switches empty the set; other records are
 * skipped.
 */
export function resultSetFromRecords(
  records: Iterable<TimelineRecord>,
  subscriptionKey: string,
  initial: readonly ParseJSON[] = [],
  /** When `initial` was fetched: older records are already reflected in it. */
  seededAt?: number,
): ResultSet {
  const set: ResultSet = new Map();
  seed(set, initial);
  for (const record of records) {
    if (record.subscriptionKey !== subscriptionKey || (seededAt !== undefined && record.time <= seededAt)) continue;
    if (startsOver(record)) {
      set.clear();
      continue;
    }
    if (record.marker || record.kind === 'sent' || record.raw === undefined) continue;
    let json: unknown;
    try {
      json = JSON.parse(record.raw);
    } catch {
      continue;
    }
    const checked = checkServerFrame(json);
    if (!checked.ok) continue;
    const frame = checked.frame;
    if (frame.op === 'result') seed(set, frame.results);
    else if ('object' in frame) applyEvent(set, frame.op, frame.object);
  }
  return set;
}

const LEADING = ['className', 'objectId'];
const HIDDEN = new Set(['__type']);

/**
 * Column names for a table of objects: `className` and `objectId` first when present, then the other keys by how
 * many objects have them (ties in order of first appearance), at most `max` in all.
 */
export function columnsOf(objects: Iterable<ParseJSON>, max: number): string[] {
  const counts = new Map<string, number>();
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      if (!HIDDEN.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const leading = LEADING.filter((key) => counts.has(key));
  const firstSeen = new Map([...counts.keys()].map((key, i) => [key, i]));
  const rest = [...counts.keys()]
    .filter((key) => !LEADING.includes(key))
    .sort((a, b) => counts.get(b)! - counts.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
  return [...leading, ...rest].slice(0, Math.max(0, Math.floor(max)));
}

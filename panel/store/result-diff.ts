// What a REST query says a result set missed: objects that appeared, changed or left since the set's events, and the
// timeline records that say so.

import type { ParseJSON } from '../../src/livequery/protocol.js';
import type { RecordDraft, RecoveredChange } from '../../src/timeline/record.js';
import type { QuerySource } from './result-sets.js';

export interface ChangedObject {
  object: ParseJSON;
  /** The fields whose values differ (those the REST object has; `updatedAt` included). */
  fields: string[];
}

export interface ResultDiff {
  /** In the REST results, not in the set: created or entered during the gap. */
  appeared: ParseJSON[];
  /** In both, with another `updatedAt` or other field values. */
  changed: ChangedObject[];
  /** In the set, not in the REST results: no longer matches or no longer readable (or deleted: REST cannot tell). */
  left: ParseJSON[];
}

/** Fields that say nothing about an object's content (LiveQuery adds `className`; `__type` is a JSON tag). */
const IGNORED = new Set(['className', '__type']);

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

function changedFields(before: ParseJSON, after: ParseJSON): string[] {
  return Object.keys(after).filter((key) => !IGNORED.has(key) && key in before && !same(before[key], after[key]));
}

/**
 * Compares the set as kept (by objectId) with what the query finds now. `complete` is false when the REST results
 * stopped at a cap: objects of the set beyond it cannot be said to have left.
 */
export function diffResults(kept: ReadonlyMap<string, ParseJSON>, found: readonly ParseJSON[], complete: boolean): ResultDiff {
  const diff: ResultDiff = { appeared: [], changed: [], left: [] };
  const foundIds = new Set<string>();
  for (const object of found) {
    const id = String(object.objectId);
    foundIds.add(id);
    const before = kept.get(id);
    if (!before) {
      diff.appeared.push(object);
      continue;
    }
    const fields = changedFields(before, object);
    if (fields.length) diff.changed.push({ object, fields });
  }
  if (complete) for (const [id, object] of kept) if (!foundIds.has(id)) diff.left.push(object);
  return diff;
}

const RECOVERED_LABELS: Record<RecoveredChange, string> = { appeared: 'recovered: appeared', changed: 'recovered: changed', left: 'recovered: left' };

/** The records of what a check recovered, one per object, named after the subscription's source. */
export function recoveredDrafts(diff: ResultDiff, subscriptionKey: string, from: QuerySource, staleSince: number, time: number): RecordDraft[] {
  const className = from.query.className;
  const draft = (change: RecoveredChange, object: ParseJSON, what: string, fields?: string[]): RecordDraft => ({
    time,
    source: from.source,
    kind: 'gap',
    label: RECOVERED_LABELS[change],
    marker: fields ? { type: 'recovered', change, staleSince, fields } : { type: 'recovered', change, staleSince },
    subscriptionKey,
    className,
    objectId: String(object.objectId),
    summary: `recovered over REST: ${className} ${String(object.objectId)} ${what}`,
  });
  return [
    ...diff.appeared.map((o) => draft('appeared', o, 'appeared during the gap (its create or enter was missed)')),
    ...diff.changed.map((c) => draft('changed', c.object, `changed during the gap (${c.fields.join(', ')})`, c.fields)),
    ...diff.left.map((o) => draft('left', o, 'left during the gap: no longer matches, not readable, or deleted')),
  ];
}

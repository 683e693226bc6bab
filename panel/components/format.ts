// Formatting helpers shared by the panel's components.

import { sourceKey } from '../../src/timeline/keys.js';
import { unreachable, type TimelineRecord } from '../../src/timeline/record.js';
import type { EventCounts } from '../../src/views.js';

export function formatClock(time: number): string {
  const d = new Date(time);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatCounts(counts: EventCounts): string {
  return `c${counts.create} u${counts.update} e${counts.enter} l${counts.leave} d${counts.delete}`;
}

export function totalCount(counts: EventCounts): number {
  return counts.create + counts.update + counts.enter + counts.leave + counts.delete;
}

/** The name of a record's source for the list: a server's label or host, or the page (and its frame). */
export function sourceName(record: TimelineRecord, names: ReadonlyMap<string, string>): string {
  const { source } = record;
  const known = names.get(sourceKey(source));
  if (known) return known;
  switch (source.type) {
    case 'extension':
      return 'extension';
    case 'server':
      return 'removed server';
    case 'document':
      return source.frameId === 0 ? 'page' : `page frame ${source.frameId}`;
    case 'pageSocket':
      return source.frameId === 0 ? 'page socket' : `page frame ${source.frameId}`;
    default:
      return unreachable(source);
  }
}

/** Whether a record comes from the inspected page rather than the extension. */
export const isFromPage = (record: TimelineRecord): boolean => record.source.type === 'document' || record.source.type === 'pageSocket';

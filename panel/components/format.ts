// Formatting helpers shared by the panel's components.

import type { EventCounts, TimelineRecord } from '../../src/timeline/record.js';

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

export function prettyJSON(raw: string | undefined): string {
  if (raw === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function sourceName(record: TimelineRecord, serverLabels: Map<string, string>): string {
  if (record.source.type === 'connection') {
    const label = serverLabels.get(record.source.serverId);
    return label ?? (record.source.serverId ? 'removed server' : 'extension');
  }
  return record.source.socketId === 'document' ? 'page' : `page ${record.source.frameId === 0 ? '' : `frame ${record.source.frameId} `}socket`;
}

export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch {
    return url;
  }
}

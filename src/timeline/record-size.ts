// What a record costs to keep, and the cut that bounds it: every kept record is bounded, and so is what they weigh together.

import type { TimelineRecord } from './record.js';

/** A frame's text is kept up to this many characters; the record says how long the frame was (`rawLength`). */
export const MAX_RECORD_RAW_CHARS = 64 * 1024;
/** The fixed part of a record (object, source, numbers) counted as characters. */
const RECORD_OVERHEAD_CHARS = 256;

/** About how many characters a record holds: its texts plus a fixed overhead. */
export function recordChars(record: TimelineRecord): number {
  let chars = RECORD_OVERHEAD_CHARS + record.label.length + record.summary.length + (record.raw?.length ?? 0);
  if (record.marker) for (const value of Object.values(record.marker)) if (typeof value === 'string') chars += value.length;
  return chars;
}

/**
 * A frame's text as a record keeps it: whole, or its first MAX_RECORD_RAW_CHARS characters as a copy (a slice would
 * keep the whole frame alive) with the frame's full length.
 */
export function keptRaw(text: string, limit = MAX_RECORD_RAW_CHARS): { raw: string; rawLength?: number } {
  if (text.length <= limit) return { raw: text };
  return { raw: copyString(text.slice(0, limit)), rawLength: text.length };
}

/** A flat copy of a string that shares no memory with the string it was sliced from. */
function copyString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

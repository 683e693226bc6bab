// Splits page socket events into message-sized batches: at most MAX_EVENTS_PER_MESSAGE events and MAX_PAGE_MESSAGE_CHARS characters each.

import { MAX_EVENTS_PER_MESSAGE, MAX_PAGE_MESSAGE_CHARS, pageEventChars, type PageSocketEvent } from '../messages.js';

/** Consecutive batches of `events`, in order; every event fits a batch alone (the hook cuts frames far below the limit). */
export function splitIntoBatches(events: readonly PageSocketEvent[]): PageSocketEvent[][] {
  const batches: PageSocketEvent[][] = [];
  let batch: PageSocketEvent[] = [];
  let chars = 0;
  for (const event of events) {
    const weight = pageEventChars(event);
    if (batch.length && (batch.length === MAX_EVENTS_PER_MESSAGE || chars + weight > MAX_PAGE_MESSAGE_CHARS)) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(event);
    chars += weight;
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/** Characters of a batch, as the validators count them. */
export function batchChars(events: readonly PageSocketEvent[]): number {
  let chars = 0;
  for (const event of events) chars += pageEventChars(event);
  return chars;
}

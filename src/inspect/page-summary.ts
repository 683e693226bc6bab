// What the page keeps about its LiveQuery sockets while no panel watches: their state and the last events, bounded.

import { MAX_PAGE_FRAME_CHARS, type PageSocketEvent } from '../messages.js';
import { ReplayLog } from './replay-log.js';

export interface SummaryLimits {
  /** Recent events kept (oldest forgotten first). */
  maxEvents: number;
  /** Characters of frame text kept across the recent events. */
  maxChars: number;
  /** A longer frame is kept cut to this many characters (and marked as cut). */
  maxFrameChars: number;
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = { maxEvents: 500, maxChars: 1_000_000, maxFrameChars: MAX_PAGE_FRAME_CHARS };

export interface Backfill {
  /** State-defining events a watcher was already sent: to rebuild socket state without recording it again. */
  replay: PageSocketEvent[];
  /** Every kept event no watcher was sent yet, in the order they happened. */
  fresh: PageSocketEvent[];
  /** Events no watcher was sent that were not kept (the recent-events bound). */
  notKept: number;
}

/**
 * An event's sequence number, on the event itself: a symbol key is invisible to postMessage and JSON, and cheaper on
 * this per-frame path than a WeakMap (whose entries the garbage collector must trace as ephemerons).
 */
const SEQ = Symbol('seq');
type Numbered = PageSocketEvent & { [SEQ]?: number };

export const seqOf = (event: PageSocketEvent): number => (event as Numbered)[SEQ] ?? 0;
/** Characters of frame text an event carries. */
export const textLength = (event: PageSocketEvent): number => (event.type === 'frame' ? (event.text?.length ?? 0) : 0);

export class PageSummary {
  /** Sockets, their connect/subscriptions and replies: what a panel needs to show what the page subscribed to. */
  private readonly state = new ReplayLog(undefined, { keepClosed: true });
  /** The latest events, a ring: `start` is the oldest, `size` how many. */
  private readonly recent: (PageSocketEvent | undefined)[];
  private start = 0;
  private size = 0;
  private recentChars = 0;
  private seq = 0;
  private posted = 0;
  /** Events dropped from `recent` before any watcher was sent them. */
  private unpostedEvicted = 0;

  constructor(private readonly limits: SummaryLimits = DEFAULT_SUMMARY_LIMITS) {
    this.recent = new Array<PageSocketEvent | undefined>(limits.maxEvents);
  }

  /** Keeps one event; returns its sequence number. */
  observe(event: PageSocketEvent): number {
    const seq = ++this.seq;
    (event as Numbered)[SEQ] = seq;
    this.state.observe(event);
    const kept = this.cut(event, seq);
    if (this.size === this.limits.maxEvents) this.evictOldest();
    this.recent[(this.start + this.size) % this.limits.maxEvents] = kept;
    this.size++;
    this.recentChars += textLength(kept);
    while (this.recentChars > this.limits.maxChars && this.size > 1) this.evictOldest();
    return seq;
  }

  /** Events up to `seq` are on their way to a watcher. */
  markPosted(seq: number): void {
    if (seq > this.posted) this.posted = seq;
  }

  /** The watcher left before events after `seq` were handed over: the next one gets them. */
  rewindPosted(seq: number): void {
    if (seq < this.posted) this.posted = seq;
  }

  /** The sequence number the next event observed gets. */
  get nextSeq(): number {
    return this.seq + 1;
  }

  get postedThrough(): number {
    return this.posted;
  }

  /** What a watcher that starts now needs; marks every fresh event as posted. */
  backfill(): Backfill {
    const replay: PageSocketEvent[] = [];
    const fresh = new Map<number, PageSocketEvent>();
    const firstRecent = this.size ? seqOf(this.recent[this.start]!) : this.seq + 1;
    let stateEvicted = 0;
    for (const event of this.state.snapshot()) {
      const seq = seqOf(event);
      if (seq <= this.posted) replay.push(event);
      else {
        fresh.set(seq, event);
        if (seq < firstRecent) stateEvicted++;
      }
    }
    for (let i = 0; i < this.size; i++) {
      const event = this.recent[(this.start + i) % this.limits.maxEvents]!;
      const seq = seqOf(event);
      if (seq > this.posted && this.state.knows(event.socketId) && !fresh.has(seq)) fresh.set(seq, event);
    }
    const ordered = [...fresh.entries()].sort((a, b) => a[0] - b[0]).map(([, event]) => event);
    const notKept = Math.max(0, this.unpostedEvicted - stateEvicted);
    this.unpostedEvicted = 0;
    this.posted = this.seq;
    return { replay: replay.sort((a, b) => seqOf(a) - seqOf(b)), fresh: ordered, notKept };
  }

  private evictOldest(): void {
    const evicted = this.recent[this.start]!;
    this.recent[this.start] = undefined;
    this.start = (this.start + 1) % this.limits.maxEvents;
    this.size--;
    this.recentChars -= textLength(evicted);
    if (seqOf(evicted) > this.posted && this.state.knows(evicted.socketId)) this.unpostedEvicted++;
  }

  private cut(event: PageSocketEvent, seq: number): PageSocketEvent {
    if (event.type !== 'frame' || event.text === undefined || event.text.length <= this.limits.maxFrameChars) return event;
    const cut: Numbered = { ...event, text: event.text.slice(0, this.limits.maxFrameChars), truncatedFrom: event.truncatedFrom ?? event.text.length };
    cut[SEQ] = seq;
    return cut;
  }
}

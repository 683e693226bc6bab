// The panel's timeline: a bounded list of records with a filtered view that is kept up to date incrementally.

import { compileFilter, EMPTY_FILTER, narrows, type CompiledFilter, type TimelineFilter } from './filter.js';
import type { TimelineRecord } from './record.js';
import { recordChars } from './record-size.js';
import { RingBuffer } from './ring-buffer.js';

export const DEFAULT_CAPACITY = 100_000;
/** Characters the timeline keeps at most (about that many bytes): the oldest records go first beyond it. */
export const DEFAULT_BUDGET_CHARS = 64 * 1024 * 1024;
/**
 * A record older than the newest ones is placed in time order among the last REORDER_WINDOW records (e.g. a page's
 * events handed over after a service-worker restart, behind records the new worker already sent). In-order records
 * cost nothing more; an out-of-order one costs O(window) at most.
 */
export const REORDER_WINDOW = 1_000;

/** What clear() took away, for restore(): the records and the count of those dropped before them. */
export interface ClearedRecords {
  records: TimelineRecord[];
  dropped: number;
}

export class TimelineStore {
  private readonly records: RingBuffer<TimelineRecord>;
  /** Absolute positions (0 = first record ever appended) of records that pass the filter, oldest first. */
  private matches: number[] = [];
  private matchesStart = 0;
  private appended = 0;
  private filterValue: TimelineFilter = EMPTY_FILTER;
  private compiled: CompiledFilter = compileFilter(EMPTY_FILTER);
  private lastSeqByEpoch = new Map<string, number>();
  /** The newest record ever appended (kept across clear(), so a catch-up never brings cleared records back). */
  private latest: { epoch: string; seq: number } | undefined;

  constructor(capacity = DEFAULT_CAPACITY, budgetChars = DEFAULT_BUDGET_CHARS) {
    this.records = new RingBuffer(capacity, { weigh: recordChars, max: budgetChars });
  }

  get size(): number {
    return this.records.size;
  }

  get dropped(): number {
    return this.records.dropped;
  }

  get capacity(): number {
    return this.records.capacity;
  }

  get filter(): TimelineFilter {
    return this.filterValue;
  }

  /** Null when the filter is valid, else why it is not (e.g. a bad regular expression). */
  get filterError(): string | null {
    return this.compiled.ok ? null : this.compiled.error;
  }

  get matchCount(): number {
    return this.matches.length - this.matchesStart;
  }

  /** The i-th (0-based) record that passes the filter. */
  matchAt(index: number): TimelineRecord | undefined {
    const absolute = this.matches[this.matchesStart + index];
    return absolute === undefined ? undefined : this.records.at(absolute - this.firstAbsolute());
  }

  /** Index among the filtered records of the record with this epoch/seq, or -1. */
  indexOf(record: Pick<TimelineRecord, 'epoch' | 'seq'>): number {
    for (let i = this.matchCount - 1; i >= 0; i--) {
      const r = this.matchAt(i);
      if (r && r.epoch === record.epoch && r.seq === record.seq) return i;
    }
    return -1;
  }

  all(): TimelineRecord[] {
    return this.records.toArray();
  }

  matching(): TimelineRecord[] {
    const out: TimelineRecord[] = [];
    for (let i = 0; i < this.matchCount; i++) out.push(this.matchAt(i)!);
    return out;
  }

  /** Whether `append` would keep this record (it is newer than what this store has seen of its epoch). */
  isNew(record: Pick<TimelineRecord, 'epoch' | 'seq'>): boolean {
    const last = this.lastSeqByEpoch.get(record.epoch);
    return last === undefined || record.seq > last;
  }

  /** Appends records in order, skipping any already seen (same epoch, seq not newer). Returns how many were added. */
  append(records: readonly TimelineRecord[]): number {
    let added = 0;
    const test = this.compiled.ok ? this.compiled.test : () => false;
    for (const record of records) {
      if (!this.isNew(record)) continue;
      this.lastSeqByEpoch.set(record.epoch, record.seq);
      this.latest = { epoch: record.epoch, seq: record.seq };
      const later = this.newerThan(record.time);
      this.records.push(record);
      this.appended++;
      added++;
      if (later === 0) {
        if (test(record)) this.matches.push(this.appended - 1);
        continue;
      }
      // Pushing may have dropped the oldest records (capacity, budget).
      const steps = Math.min(later, this.records.size - 1);
      this.records.moveNewestBack(steps);
      this.insertMatch(this.appended - 1 - steps, test(record));
    }
    this.trimMatches();
    return added;
  }

  /**
   * Replaces the contents with `records` as they are, in their order: an opened recording shows what its timeline
   * showed. No record is skipped as already seen: records placed in time order may be out of seq order in a file.
   */
  load(records: readonly TimelineRecord[]): void {
    this.records.clear();
    this.lastSeqByEpoch.clear();
    this.latest = undefined;
    for (const record of records) {
      this.records.push(record);
      const last = this.lastSeqByEpoch.get(record.epoch);
      if (last === undefined || record.seq > last) this.lastSeqByEpoch.set(record.epoch, record.seq);
      this.latest = { epoch: record.epoch, seq: record.seq };
    }
    this.appended = this.records.size;
    this.refilter();
  }

  /** `refusal`: why this filter may not run (e.g. its regex takes too long): it then matches nothing and says why. */
  setFilter(filter: TimelineFilter, refusal?: string): void {
    const previous = this.compiled.ok ? { filter: this.filterValue, matches: this.matches, start: this.matchesStart } : undefined;
    this.filterValue = filter;
    this.compiled = refusal === undefined ? compileFilter(filter) : { ok: false, error: refusal };
    if (!previous || !this.compiled.ok || !narrows(filter, previous.filter)) return this.refilter();
    // Typing on in the filter box: each key tests only the records the text before it matched.
    const test = this.compiled.test;
    const first = this.firstAbsolute();
    this.matches = [];
    this.matchesStart = 0;
    for (let i = previous.start; i < previous.matches.length; i++) {
      const absolute = previous.matches[i]!;
      if (absolute < first) continue; // pushed out of the store since
      if (test(this.records.at(absolute - first)!)) this.matches.push(absolute);
    }
  }

  /** Tests every record against the filter (after the records themselves changed, or a filter that is not narrower). */
  private refilter(): void {
    this.matches = [];
    this.matchesStart = 0;
    if (!this.compiled.ok) return;
    const test = this.compiled.test;
    const first = this.firstAbsolute();
    for (let i = 0; i < this.records.size; i++) if (test(this.records.at(i)!)) this.matches.push(first + i);
  }

  setCapacity(capacity: number): void {
    this.records.resize(capacity);
    this.trimMatches();
  }

  /** Empties the store; returns what it held, so that restore() can undo it. */
  clear(): ClearedRecords {
    const cleared = { records: this.records.toArray(), dropped: this.records.dropped };
    this.records.clear();
    this.matches = [];
    this.matchesStart = 0;
    this.appended = 0;
    return cleared;
  }

  /**
   * Undoes a clear(): its records go back before those appended since, as if never cleared (the capacity still holds:
   * beyond it the oldest are dropped and counted).
   */
  restore(cleared: ClearedRecords): void {
    const since = this.records.toArray();
    const droppedSince = this.records.dropped;
    this.records.clear();
    for (const record of cleared.records) this.records.push(record);
    for (const record of since) this.records.push(record);
    this.records.dropped += cleared.dropped + droppedSince;
    this.appended = this.records.size;
    this.refilter();
  }

  /** The newest record seen, for a catch-up request after a reconnect. */
  lastSeen(): { epoch: string; seq: number } | undefined {
    return this.latest;
  }

  /** How many of the newest records (at most REORDER_WINDOW) are later than `time`. */
  private newerThan(time: number): number {
    let count = 0;
    const size = this.records.size;
    while (count < REORDER_WINDOW && count < size && this.records.at(size - 1 - count)!.time > time) count++;
    return count;
  }

  /** A record was inserted at absolute position `position`: the matches after it move one place on. */
  private insertMatch(position: number, matches: boolean): void {
    let i = this.matches.length;
    while (i > this.matchesStart && this.matches[i - 1]! >= position) {
      this.matches[i - 1]!++;
      i--;
    }
    if (matches) this.matches.splice(i, 0, position);
  }

  private firstAbsolute(): number {
    return this.appended - this.records.size;
  }

  private trimMatches(): void {
    const first = this.firstAbsolute();
    while (this.matchesStart < this.matches.length && this.matches[this.matchesStart]! < first) this.matchesStart++;
    // Compact now and then so the array does not grow without bound.
    if (this.matchesStart > 4096 && this.matchesStart > this.matches.length / 2) {
      this.matches = this.matches.slice(this.matchesStart);
      this.matchesStart = 0;
    }
  }
}

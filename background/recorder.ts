// Numbers the records of one tab, keeps a bounded backlog for panels that (re)connect, and hands new ones on.

import { RingBuffer } from '../src/timeline/ring-buffer.js';
import type { RecordDraft, TimelineRecord } from '../src/timeline/record.js';
import { keptRaw, recordChars } from '../src/timeline/record-size.js';

/** Where a tab's new records go (the panel router). */
export interface RecordSink {
  recordAdded(tabId: number, record: TimelineRecord): void;
}

/** Records one tab's backlog keeps at most. */
export const BACKLOG_CAPACITY = 20_000;
/** Characters every tab's backlog keeps together (about that many bytes: record texts are mostly one-byte strings). */
export const BACKLOG_BUDGET_CHARS = 24 * 1024 * 1024;

/**
 * One character budget shared by the backlogs of every tab: when together they hold more, the heaviest gives up its
 * oldest records first, so a tab streaming huge frames cannot push out a quiet tab's history.
 */
export class BacklogBudget {
  private readonly backlogs = new Set<RingBuffer<TimelineRecord>>();

  constructor(readonly maxChars = BACKLOG_BUDGET_CHARS) {}

  join(backlog: RingBuffer<TimelineRecord>): void {
    this.backlogs.add(backlog);
  }

  leave(backlog: RingBuffer<TimelineRecord>): void {
    this.backlogs.delete(backlog);
  }

  get usedChars(): number {
    let used = 0;
    for (const backlog of this.backlogs) used += backlog.weight;
    return used;
  }

  /** Trims the heaviest backlogs until all fit; `newest` keeps at least its newest record. */
  enforce(newest: RingBuffer<TimelineRecord>): void {
    let excess = this.usedChars - this.maxChars;
    while (excess > 0) {
      let heaviest: RingBuffer<TimelineRecord> | undefined;
      for (const backlog of this.backlogs) if (!heaviest || backlog.weight > heaviest.weight) heaviest = backlog;
      if (!heaviest) return;
      const before = heaviest.weight;
      heaviest.trimTo(before - excess, heaviest === newest ? 1 : 0);
      if (heaviest.weight === before) return;
      excess -= before - heaviest.weight;
    }
  }
}

export class Recorder {
  private readonly backlog: RingBuffer<TimelineRecord>;
  private seq = 0;

  constructor(
    /** Identifies this service-worker instance; seq restarts at 1 in every epoch. */
    readonly epoch: string,
    private readonly tabId: number,
    private readonly sink: RecordSink,
    private readonly budget = new BacklogBudget(),
  ) {
    this.backlog = new RingBuffer<TimelineRecord>(BACKLOG_CAPACITY, { weigh: recordChars, max: budget.maxChars });
    budget.join(this.backlog);
  }

  /** Numbers a record (its frame text cut to the record limit), keeps it and hands it on. */
  record(draft: RecordDraft): TimelineRecord {
    const record: TimelineRecord = { ...draft, seq: ++this.seq, epoch: this.epoch };
    if (record.raw !== undefined) {
      const kept = keptRaw(record.raw);
      record.raw = kept.raw;
      if (kept.rawLength !== undefined) record.rawLength = Math.max(kept.rawLength, record.rawLength ?? 0);
    }
    this.backlog.push(record);
    this.budget.enforce(this.backlog);
    this.sink.recordAdded(this.tabId, record);
    return record;
  }

  /** Records after `after` when it belongs to this epoch, else every retained record; and how many were dropped. */
  since(after?: { epoch: string; seq: number }): { records: TimelineRecord[]; dropped: number } {
    const all = this.backlog.toArray();
    if (after && after.epoch === this.epoch) {
      const records = all.filter((r) => r.seq > after.seq);
      const firstRetained = all[0]?.seq ?? this.seq + 1;
      return { records, dropped: Math.max(0, firstRetained - after.seq - 1) };
    }
    return { records: all, dropped: this.backlog.dropped };
  }

  /** Characters the backlog holds. */
  get keptChars(): number {
    return this.backlog.weight;
  }

  /**
   * Drops the records up to `through` (every record when absent). Records of another epoch are newer than any the
   * panel cleared: a restarted worker starts a new epoch and an empty backlog.
   */
  clear(through?: { epoch: string; seq: number }): void {
    if (!through) return this.backlog.clear();
    if (through.epoch !== this.epoch) return;
    while (this.backlog.size && this.backlog.at(0)!.seq <= through.seq) this.backlog.shift();
  }

  /** The tab is gone: its backlog leaves the shared budget. */
  dispose(): void {
    this.backlog.clear();
    this.budget.leave(this.backlog);
  }
}

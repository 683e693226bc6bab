// Numbers the records of one tab, keeps a bounded backlog for panels that (re)connect, and hands new ones on.

import { RingBuffer } from '../src/timeline/ring-buffer.js';
import type { RecordDraft, TimelineRecord } from '../src/timeline/record.js';

/** Where a tab's new records go (the panel router). */
export interface RecordSink {
  recordAdded(tabId: number, record: TimelineRecord): void;
}

export const BACKLOG_CAPACITY = 20_000;

export class Recorder {
  private readonly backlog = new RingBuffer<TimelineRecord>(BACKLOG_CAPACITY);
  private seq = 0;

  constructor(
    /** Identifies this service-worker instance; seq restarts at 1 in every epoch. */
    readonly epoch: string,
    private readonly tabId: number,
    private readonly sink: RecordSink,
  ) {}

  record(draft: RecordDraft): TimelineRecord {
    const record: TimelineRecord = { ...draft, seq: ++this.seq, epoch: this.epoch };
    this.backlog.push(record);
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

  clear(): void {
    this.backlog.clear();
  }
}

// Test helper: timeline records numbered in order, with only what a test cares about spelled out.

import type { TimelineRecord } from './record.js';

export function recordFactory(start = 1_746_093_600_000) {
  let seq = 0;
  return {
    rec(partial: Partial<TimelineRecord> & Pick<TimelineRecord, 'kind'>): TimelineRecord {
      seq++;
      return {
        seq,
        epoch: 'epoch-1',
        time: start + seq * 10.5,
        source: { type: 'server', serverId: 'srv' },
        label: partial.kind,
        summary: `record ${seq}`,
        ...partial,
      };
    },
    reset(): void {
      seq = 0;
    },
  };
}

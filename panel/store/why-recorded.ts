// The latest event a subscription recorded for one object, parsed from its frame (what "Why no event?" explains too).

import { checkServerFrame, type EventOp, type ParseJSON } from '../../src/livequery/protocol.js';
import { isEventKind } from '../../src/timeline/describe.js';
import type { TimelineRecord } from '../../src/timeline/record.js';

/** Records searched (newest first) for the object's recorded event. */
const MAX_RECORDS_SEARCHED = 100_000;

export interface RecordedEvent {
  op: EventOp;
  time: number;
  object: ParseJSON;
  original?: ParseJSON;
}

/** The event frame of a record, parsed, when it is an event of that subscription for that object. */
function recordedEventOf(record: TimelineRecord): RecordedEvent | undefined {
  if (!isEventKind(record.kind)) return undefined;
  try {
    const checked = checkServerFrame(JSON.parse(record.raw ?? ''));
    if (!checked.ok || !('object' in checked.frame) || checked.frame.op !== record.kind) return undefined;
    const { object, original } = checked.frame as { object: ParseJSON; original?: ParseJSON };
    return { op: record.kind, time: record.time, object, ...(original ? { original } : {}) };
  } catch {
    return undefined;
  }
}

export function latestRecordedEvent(records: readonly TimelineRecord[], subscriptionKey: string, objectId: string): RecordedEvent | undefined {
  const stop = Math.max(0, records.length - MAX_RECORDS_SEARCHED);
  for (let i = records.length - 1; i >= stop; i--) {
    const record = records[i]!;
    if (record.subscriptionKey !== subscriptionKey || record.objectId !== objectId) continue;
    const event = recordedEventOf(record);
    if (event) return event;
  }
  return undefined;
}

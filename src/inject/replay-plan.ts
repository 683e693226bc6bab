// Reads a recording for playback: its subscriptions (class and where, from their subscribe frames) and their events in
// time order. Lenient where the strict import refuses: another version or unknown record kinds play what is known.

import { EVENT_OPS, isPlainObject, type EventOp } from '../livequery/protocol.js';
import { RECORDING_FORMAT, RECORDING_VERSION } from '../timeline/recording-format.js';
import { RECORD_KINDS } from '../timeline/record.js';
import { eventOfFrame, type Checked, type InjectedEvent } from './event-frame.js';

/** A subscription the recording saw: its key in the recording and its query as its subscribe (or update) frame said. */
export interface RecordedSubscription {
  key: string;
  className: string;
  /** Undefined when the recording holds no subscribe frame of it (e.g. a filtered export): matched by class only. */
  where?: Record<string, unknown>;
  /** Its requestId in the recording. */
  requestId?: number;
}

export interface ReplayStep {
  /** Epoch ms, as recorded. */
  time: number;
  /** The recorded subscription's key. */
  subscription: string;
  event: InjectedEvent;
}

export interface ReplayPlan {
  subscriptions: RecordedSubscription[];
  /** Oldest first. */
  steps: ReplayStep[];
  /** What was not played and why (another version, unknown kinds, unreadable events), in words. */
  warnings: string[];
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(RECORD_KINDS);
const isEventKind = (kind: unknown): kind is EventOp => EVENT_OPS.includes(kind as EventOp);

/** The query of a sent subscribe/update frame, or undefined. */
function queryOf(raw: unknown): { className: string; where: Record<string, unknown> } | undefined {
  if (typeof raw !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isPlainObject(json) || (json.op !== 'subscribe' && json.op !== 'update') || !isPlainObject(json.query)) return undefined;
  const { className, where } = json.query;
  if (typeof className !== 'string') return undefined;
  return { className, where: isPlainObject(where) ? where : {} };
}

/** Reads a recording's text for playback; refuses only what is not a recording at all. */
export function readReplayPlan(text: string): Checked<ReplayPlan> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the file is not valid JSON' };
  }
  if (!isPlainObject(json) || json.format !== RECORDING_FORMAT) {
    return { ok: false, error: `not a LiveQuery DevTools recording (no "format": "${RECORDING_FORMAT}")` };
  }
  if (!Array.isArray(json.records)) return { ok: false, error: 'the recording has no "records" list' };
  const warnings: string[] = [];
  if (json.version !== RECORDING_VERSION) {
    warnings.push(
      `recording format version ${JSON.stringify(json.version) ?? 'missing'} (this extension writes ${RECORDING_VERSION}): playing the events it can read`,
    );
  }
  const subscriptions = new Map<string, RecordedSubscription>();
  const steps: ReplayStep[] = [];
  const unknownKinds = new Map<string, number>();
  let unreadable = 0;
  let noSubscription = 0;
  for (const record of json.records) {
    if (!isPlainObject(record)) {
      unreadable++;
      continue;
    }
    const { kind, subscriptionKey: key, raw, time, className } = record;
    if (typeof kind !== 'string' || !KNOWN_KINDS.has(kind)) {
      const name = typeof kind === 'string' ? kind.slice(0, 40) : JSON.stringify(kind) ?? 'missing';
      unknownKinds.set(name, (unknownKinds.get(name) ?? 0) + 1);
      continue;
    }
    if (kind === 'sent' && typeof key === 'string') {
      const query = queryOf(raw);
      if (query) {
        const requestId = typeof record.requestId === 'number' ? record.requestId : undefined;
        subscriptions.set(key, { key, ...query, ...(requestId === undefined ? {} : { requestId }) });
      }
      continue;
    }
    if (!isEventKind(kind) || record.marker !== undefined) continue;
    // An injected record stays out of a replay: it never came from a server.
    if (record.injected === true) continue;
    if (typeof key !== 'string' || typeof time !== 'number' || !Number.isFinite(time)) {
      noSubscription++;
      continue;
    }
    const event = eventOfFrame(typeof raw === 'string' ? raw : undefined);
    if (!event.ok) {
      unreadable++;
      continue;
    }
    if (!subscriptions.has(key)) {
      const recordedClass = typeof className === 'string' ? className : String(event.value.object.className);
      subscriptions.set(key, { key, className: recordedClass });
    }
    steps.push({ time, subscription: key, event: event.value });
  }
  steps.sort((a, b) => a.time - b.time);
  if (unknownKinds.size) {
    const list = [...unknownKinds].map(([kind, count]) => `${kind} (${count})`).join(', ');
    warnings.push(`records of unknown kinds skipped: ${list}`);
  }
  if (unreadable) warnings.push(`${unreadable} event record(s) skipped: not readable (cut, or not an event frame)`);
  if (noSubscription) warnings.push(`${noSubscription} event record(s) skipped: no subscription or time`);
  const byClassOnly = [...subscriptions.values()].filter((s) => s.where === undefined && steps.some((step) => step.subscription === s.key));
  if (byClassOnly.length) {
    warnings.push(`no subscribe frame recorded for ${byClassOnly.map((s) => s.className).join(', ')}: matched by class only`);
  }
  const used = new Set(steps.map((s) => s.subscription));
  return { ok: true, value: { subscriptions: [...subscriptions.values()].filter((s) => used.has(s.key)), steps, warnings } };
}

/** A subscription events can be played into (a page's, or a replay server client's). */
export interface PlaybackTarget {
  className: string;
  where: unknown;
}

/** Deep equality of JSON values, key order aside (the matcher's own is not in the panel's bundle). */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameJSON((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Whether a recorded subscription plays into `target`: the same class, and the same where when it is known. */
export function matchesRecorded(recorded: RecordedSubscription, target: PlaybackTarget): boolean {
  if (recorded.className !== target.className) return false;
  return recorded.where === undefined || sameJSON(recorded.where, target.where ?? {});
}

// A synthetic LiveQuery event for one of the page's subscriptions: checked, and written as Parse Server 9.10 sends it.

import { EVENT_OPS, isPlainObject, type EventOp, type ParseJSON } from '../livequery/protocol.js';
import { exceedsDepth } from '../json-limits.js';

/** What the panel injects: the event's op, its object and (update / enter / leave) the object before the write. */
export interface InjectedEvent {
  op: EventOp;
  object: ParseJSON;
  /** Sent with update, enter and leave only (Parse Server leaves it out of an enter caused by an ACL grant). */
  original?: ParseJSON;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Ops whose frame carries `original`. */
export const OPS_WITH_ORIGINAL: readonly EventOp[] = ['update', 'enter', 'leave'];

function checkObject(value: unknown, name: string): string | undefined {
  if (!isPlainObject(value)) return `${name} must be a JSON object`;
  if (typeof value.className !== 'string' || !value.className) return `${name} needs a "className" (the SDK builds its object from it)`;
  if (typeof value.objectId !== 'string' || !value.objectId) return `${name} needs an "objectId"`;
  if (exceedsDepth(value)) return `${name} is nested too deep`;
  return undefined;
}

/** Whether `value` is an event the panel may inject; the reason when it is not. */
export function checkInjectedEvent(value: unknown): Checked<InjectedEvent> {
  if (!isPlainObject(value)) return { ok: false, error: 'the event must be a JSON object' };
  const op = value.op;
  if (!EVENT_OPS.includes(op as EventOp)) return { ok: false, error: `unknown event op ${JSON.stringify(op)} (one of ${EVENT_OPS.join(', ')})` };
  const objectError = checkObject(value.object, 'object');
  if (objectError) return { ok: false, error: objectError };
  const event: InjectedEvent = { op: op as EventOp, object: value.object as ParseJSON };
  if (value.original !== undefined && value.original !== null) {
    if (!OPS_WITH_ORIGINAL.includes(event.op)) return { ok: false, error: `a ${event.op} event has no "original"` };
    const originalError = checkObject(value.original, 'original');
    if (originalError) return { ok: false, error: originalError };
    if ((value.original as ParseJSON).className !== event.object.className) return { ok: false, error: 'original and object must be of the same class' };
    event.original = value.original as ParseJSON;
  }
  return { ok: true, value: event };
}

/** Reads the text of a JSON editor as an object (or nothing, for an empty `original`). */
export function parseObjectText(text: string, name: string): Checked<ParseJSON | undefined> {
  if (!text.trim()) return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${name}: invalid JSON (${(error as Error).message})` };
  }
  if (!isPlainObject(value)) return { ok: false, error: `${name} must be a JSON object` };
  return { ok: true, value };
}

/** The frame's text, fields in Parse Server 9.10's order: op, clientId, requestId, object, original. */
export function eventFrameText(event: InjectedEvent, requestId: number, clientId?: string): string {
  const frame: Record<string, unknown> = { op: event.op };
  if (clientId !== undefined) frame.clientId = clientId;
  frame.requestId = requestId;
  frame.object = event.object;
  if (event.original && OPS_WITH_ORIGINAL.includes(event.op)) frame.original = event.original;
  return JSON.stringify(frame);
}

/** The event a recorded event frame carried (for "Send again" and replays), or why it cannot be sent. */
export function eventOfFrame(raw: string | undefined): Checked<InjectedEvent> {
  if (raw === undefined) return { ok: false, error: 'the record has no frame text' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'the recorded frame is not JSON (it may have been cut)' };
  }
  if (!isPlainObject(json)) return { ok: false, error: 'the recorded frame is not a JSON object' };
  return checkInjectedEvent({ op: json.op, object: json.object, original: json.original });
}

// Turns a raw LiveQuery frame into the fields a timeline row shows: kind, label, className, objectId, summary.

import {
  checkClientFrame,
  checkServerFrame,
  EVENT_OPS,
  isPlainObject,
  type ClientOp,
  type EventOp,
  type FrameCheck,
  type ServerFrame,
  type ServerOp,
} from '../livequery/protocol.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../json-limits.js';
import type { RecordKind } from './record.js';

export interface FrameDescription {
  kind: RecordKind;
  label: string;
  /** The frame's op, when the frame is valid (a received frame without one is not a LiveQuery frame). */
  op?: ClientOp | ServerOp | 'query';
  requestId?: number;
  className?: string;
  objectId?: string;
  summary: string;
  /** The parsed frame when it was valid JSON. */
  json?: Record<string, unknown>;
  /** A received frame that passed the protocol check, so that whoever needs it need not check it again. */
  received?: ServerFrame;
}

const MAX_SUMMARY = 160;

function clip(text: string, max = MAX_SUMMARY): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** Says so where a value from a page or server nests too deep to be written or compared. */
export const TOO_DEEP = `too deep to display (more than ${MAX_JSON_DEPTH} levels)`;

/** Compact one-line JSON for summaries. */
export function preview(value: unknown, max = 80): string {
  if (exceedsDepth(value)) return TOO_DEEP;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text, max);
}

/** The fields of `object` that differ from `original`, for an update's one-line summary. */
function changedKeys(object: Record<string, unknown>, original: Record<string, unknown>): string[] {
  const ignored = new Set(['updatedAt', 'createdAt', 'className', 'objectId', '__type']);
  const keys = new Set([...Object.keys(object), ...Object.keys(original)]);
  return [...keys].filter((k) => !ignored.has(k) && JSON.stringify(object[k]) !== JSON.stringify(original[k]));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function describeSentFrame(text: string): FrameDescription {
  const json = parse(text);
  if (!isPlainObject(json)) return { kind: 'sent', label: 'invalid', summary: clip(text) };
  const checked = checkClientFrame(json);
  if (!checked.ok) return { kind: 'sent', label: String(json.op ?? 'invalid'), summary: checked.reason, json };
  const frame = checked.frame;
  switch (frame.op) {
    case 'connect':
      return { kind: 'sent', label: 'connect', op: 'connect', summary: `applicationId ${frame.applicationId}`, json };
    case 'subscribe':
    case 'update':
      return {
        kind: 'sent',
        label: frame.op,
        op: frame.op,
        requestId: frame.requestId,
        className: frame.query.className,
        summary: `#${frame.requestId} ${frame.query.className} where ${preview(frame.query.where)}` +
          (frame.query.keys ? ` keys ${frame.query.keys.join(',')}` : '') +
          (frame.query.watch ? ` watch ${frame.query.watch.join(',')}` : '') +
          (frame.sessionToken ? ' (session token)' : ''),
        json,
      };
    case 'unsubscribe':
      return { kind: 'sent', label: 'unsubscribe', op: 'unsubscribe', requestId: frame.requestId, summary: `#${frame.requestId}`, json };
  }
}

/**
 * `json` and `checked`: the frame already parsed and validated by whoever received it (the client does), to avoid
 * doing either twice.
 */
export function describeReceivedFrame(
  text: string,
  json: unknown = parse(text),
  checked: FrameCheck<ServerFrame> = checkServerFrame(json),
): FrameDescription {
  if (!checked.ok) {
    return {
      kind: 'error',
      label: 'invalid frame',
      summary: `${checked.reason}: ${clip(text, 100)}`,
      json: isPlainObject(json) ? json : undefined,
    };
  }
  const frame = checked.frame;
  const body = json as Record<string, unknown>;
  switch (frame.op) {
    case 'connected':
      return { kind: 'received', label: 'connected', op: 'connected', summary: `clientId ${frame.clientId ?? '?'}`, json: body, received: frame };
    case 'subscribed':
    case 'unsubscribed':
      return { kind: 'received', label: frame.op, op: frame.op, requestId: frame.requestId, summary: `#${frame.requestId}`, json: body, received: frame };
    case 'error':
      return {
        kind: 'error',
        label: `error ${frame.code}`,
        op: 'error',
        requestId: frame.requestId ?? undefined,
        summary: `${frame.error}${frame.reconnect ? ' (reconnect)' : ''}${frame.requestId != null ? ` #${frame.requestId}` : ''}`,
        json: body,
        received: frame,
      };
    case 'result':
      return {
        kind: 'received',
        label: 'result',
        op: 'result',
        requestId: frame.requestId,
        summary: `#${frame.requestId} ${frame.results.length} object(s)`,
        json: body,
        received: frame,
      };
    default: {
      const op: EventOp = frame.op;
      const object = frame.object;
      const className = typeof object.className === 'string' ? object.className : undefined;
      const objectId = typeof object.objectId === 'string' ? object.objectId : undefined;
      let detail = '';
      if (op === 'update' && frame.original && (exceedsDepth(object) || exceedsDepth(frame.original))) {
        detail = ' (too deep to compare)';
      } else if (op === 'update' && frame.original) {
        const keys = changedKeys(object, frame.original);
        detail = keys.length ? ` changed ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? '…' : ''}` : ' no field changed';
      }
      return {
        kind: op,
        label: op,
        op,
        requestId: frame.requestId,
        className,
        objectId,
        summary: clip(`#${frame.requestId} ${className ?? '?'} ${objectId ?? '?'}${detail}`),
        json: body,
        received: frame,
      };
    }
  }
}

export const isEventKind = (kind: RecordKind): kind is EventOp => (EVENT_OPS as readonly string[]).includes(kind);

// Describes a page socket's frame for the timeline: the shared frame descriptions plus what only page traffic has.

import { EVENT_OPS, isPlainObject } from '../../src/livequery/protocol.js';
import type { PageSocketEvent } from '../../src/messages.js';
import { describeReceivedFrame, describeSentFrame, type FrameDescription } from '../../src/timeline/describe.js';

export type FrameEvent = Extract<PageSocketEvent, { type: 'frame' }>;

const HEAD_OP = /^\s*\{\s*"op"\s*:\s*"(\w{1,40})"/;
const REQUEST_ID = /"requestId"\s*:\s*(\d{1,15})\b/;
const CLASS_NAME = /"className"\s*:\s*"([A-Za-z_][A-Za-z0-9_]{0,127})"/;
const OBJECT_ID = /"objectId"\s*:\s*"([^"\\]{1,128})"/;
/** How much of a cut frame's head is searched for its op, requestId, class and objectId. */
const HEAD_CHARS = 2_000;

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/** A frame cut before it left the page: what its first characters tell. */
function describeTruncated(event: FrameEvent, text: string, length: number): FrameDescription {
  const head = text.slice(0, HEAD_CHARS);
  const op = HEAD_OP.exec(head)?.[1];
  const id = REQUEST_ID.exec(head)?.[1];
  const requestId = id === undefined ? undefined : Number(id);
  const eventOp = event.direction === 'received' ? EVENT_OPS.find((e) => e === op) : undefined;
  // An event's object starts early in the frame: its class and id are usually in the head.
  const className = eventOp ? CLASS_NAME.exec(head)?.[1] : undefined;
  const objectId = eventOp ? OBJECT_ID.exec(head)?.[1] : undefined;
  const what = [requestId === undefined ? '' : `#${requestId}`, className ?? '', objectId ?? ''].filter(Boolean).join(' ');
  const description: FrameDescription = {
    kind: eventOp ?? event.direction,
    label: op ?? 'frame',
    requestId,
    summary: `${what ? `${what}: ` : ''}frame of ${length} characters, cut to ${text.length}`,
  };
  if (className !== undefined) description.className = className;
  if (objectId !== undefined) description.objectId = objectId;
  return description;
}

/** Moralis v1 (a Parse SDK 2.x/3.x fork) sends `fields` where newer SDKs send `keys`. */
function withFields(description: FrameDescription): FrameDescription {
  const query = description.json?.query;
  if (!isPlainObject(query) || query.keys !== undefined || !isStringList(query.fields)) return description;
  return { ...description, summary: `${description.summary} fields ${query.fields.join(',')}` };
}

export function describePageFrame(event: FrameEvent): FrameDescription {
  if (event.text === undefined) {
    return { kind: event.direction, label: 'binary', summary: `binary frame, ${event.binarySize ?? 0} bytes` };
  }
  if (event.truncatedFrom !== undefined) return describeTruncated(event, event.text, event.truncatedFrom);
  if (event.direction === 'received') return describeReceivedFrame(event.text);
  const description = describeSentFrame(event.text);
  const json = description.json;
  // The SDK 8.1+ `query` op ({op, requestId}), which the shared client-frame check does not know.
  if (json?.op === 'query' && typeof json.requestId === 'number') {
    return { kind: 'sent', label: 'query', op: 'query', requestId: json.requestId, summary: `#${json.requestId}`, json };
  }
  return withFields(description);
}

// Parse Server 9.x's LiveQuery pub/sub messages (what its ParseCloudCodePublisher publishes on Redis), read and written.
//
// Channels are `<appId>afterSave`, `<appId>afterDelete` and `<appId>clearCache`. afterSave and afterDelete carry
// `{currentParseObject, originalParseObject?, classLevelPermissions?}` where each object is the Parse SDK's
// `_toFullJSON()` (REST JSON plus `__type: 'Object'` and `className`); clearCache carries `{userId}`.

type Bag = Record<string, unknown>;

export type ChannelKind = 'afterSave' | 'afterDelete' | 'clearCache';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['afterSave', 'afterDelete', 'clearCache'];

/** A message read off a channel, objects already in the shape LiveQuery events carry. */
export type FleetMessage =
  | { kind: 'afterSave'; current: Bag; original: Bag | null }
  | { kind: 'afterDelete'; object: Bag }
  | { kind: 'clearCache'; userId: string };

export type DecodeResult = { ok: true; message: FleetMessage } | { ok: false; problem: string };

export function channelName(appId: string, kind: ChannelKind): string {
  return `${appId}${kind}`;
}

const FIELD_NAME = /^[A-Za-z][0-9A-Za-z_]*$/;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null && !Array.isArray(value);

function isoOf(value: unknown): unknown {
  return isBag(value) && value.__type === 'Date' && typeof value.iso === 'string' ? value.iso : value;
}

/**
 * The object as Parse's node turns it into event JSON, key order included: keys that are not field names go (hidden
 * columns such as `_hashed_password`, and `__type`), dates stay ISO strings, a row without `updatedAt` gets its
 * `createdAt`.
 */
/** An included object inside a field (`__type: 'Object'`), as the Parse SDK re-encodes it: attributes, objectId, __type, className. */
function nestedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nestedValue);
  if (!isBag(value)) return value;
  const out: Bag = {};
  for (const [key, inner] of Object.entries(value)) {
    if (value.__type === 'Object' && (key === 'objectId' || key === '__type' || key === 'className')) continue;
    out[key] = nestedValue(inner);
  }
  if (value.__type !== 'Object') return out;
  if ('objectId' in value) out.objectId = value.objectId;
  out.__type = 'Object';
  out.className = value.className;
  return out;
}

function eventObject(full: Bag): Bag {
  const out: Bag = {};
  for (const [key, value] of Object.entries(full)) if (key !== 'objectId' && FIELD_NAME.test(key)) out[key] = nestedValue(value);
  if ('createdAt' in out) out.createdAt = isoOf(out.createdAt);
  if ('updatedAt' in out) out.updatedAt = isoOf(out.updatedAt);
  if (out.updatedAt === undefined && out.createdAt !== undefined) out.updatedAt = out.createdAt;
  // Parse's node re-serialises a Parse.Object: its attributes in message order, then objectId.
  out.objectId = full.objectId;
  return out;
}

function objectProblem(value: unknown, name: string): string | null {
  if (!isBag(value)) return `${name} is not an object`;
  if (typeof value.className !== 'string' || value.className === '') return `${name} has no className`;
  if (typeof value.objectId !== 'string' || value.objectId === '') return `${name} has no objectId`;
  return null;
}

const clip = (text: string): string => (text.length > 120 ? `${text.slice(0, 120)}… (${text.length} characters)` : text);

/** Reads one message; anything that is not Parse's format becomes a problem to log, never an exception. */
export function decodeMessage(kind: ChannelKind, text: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: `not JSON: ${clip(text)}` };
  }
  if (!isBag(parsed)) return { ok: false, problem: `not a JSON object: ${clip(text)}` };
  if (kind === 'clearCache') {
    if (typeof parsed.userId !== 'string' || parsed.userId === '') return { ok: false, problem: `clearCache without a userId: ${clip(text)}` };
    return { ok: true, message: { kind, userId: parsed.userId } };
  }
  const currentProblem = objectProblem(parsed.currentParseObject, 'currentParseObject');
  if (currentProblem) return { ok: false, problem: `not a Parse LiveQuery message (${currentProblem}): ${clip(text)}` };
  const current = eventObject(parsed.currentParseObject as Bag);
  if (kind === 'afterDelete') return { ok: true, message: { kind, object: current } };
  let original: Bag | null = null;
  if (parsed.originalParseObject !== undefined && parsed.originalParseObject !== null) {
    const originalProblem = objectProblem(parsed.originalParseObject, 'originalParseObject');
    if (originalProblem) return { ok: false, problem: `not a Parse LiveQuery message (${originalProblem}): ${clip(text)}` };
    original = eventObject(parsed.originalParseObject as Bag);
  }
  return { ok: true, message: { kind, current, original } };
}

/** Parse SDK `_toFullJSON()` of an event object: the same fields with `__type` and `className`. */
function fullJSON(object: Bag): Bag {
  return { ...object, __type: 'Object', className: object.className };
}

/** What the embedded stack publishes for its own writes, in Parse's format, so that Parse nodes read it too. */
export function encodeSave(current: Bag, original: Bag | null): string {
  const message: Bag = { currentParseObject: fullJSON(current) };
  if (original) message.originalParseObject = fullJSON(original);
  return JSON.stringify(message);
}

export function encodeDelete(object: Bag): string {
  return JSON.stringify({ currentParseObject: fullJSON(object) });
}

// The payload step: what the frame carries once the event is decided (ACL-change rules, protected fields, `keys`).

import type { ParseJSON } from '../livequery/protocol.js';
import { ALWAYS_KEPT_FIELDS, hideProtectedFields, PROTECTED_USER_FIELDS, shapeToKeys } from '../livequery-rules/payload.js';
import { list, sentenceList } from './describe.js';
import type { CheckedInput } from './input.js';
import type { ExplainStep, Explanation } from './types.js';

/** An object as the event frame carries it: Parse SDK JSON, with className and objectId. */
export function eventJSON(object: ParseJSON, className: string): ParseJSON {
  return { ...object, className, objectId: object.objectId };
}

/** The frame is JSON: a field `keys` keeps but the object lacks (e.g. no ACL) is not in it. */
function definedOnly(object: ParseJSON): ParseJSON {
  const out: ParseJSON = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

/**
 * `object`/`original` are the versions Parse Server decided to send (after the ACL-change rules); `notes` say why
 * they differ from the plain before/after.
 */
export function payloadStep(
  input: CheckedInput,
  object: ParseJSON,
  original: ParseJSON | null,
  notes: string[],
): { step: ExplainStep; payload: NonNullable<Explanation['payload']> } {
  const reader = { master: input.master, userId: input.userId };
  const hidden = hideProtectedFields(object, reader) !== object;
  const shape = (json: ParseJSON): ParseJSON => definedOnly(shapeToKeys(hideProtectedFields(json, reader), input.keys));
  const payload: NonNullable<Explanation['payload']> = { object: shape(object) };
  if (original) payload.original = shape(original);
  const parts = [...notes];
  if (hidden) parts.push(`${sentenceList([...PROTECTED_USER_FIELDS])} of a _User are hidden from anyone but that user and the master key`);
  if (input.keys) {
    const absent = input.keys.filter((field) => !(field in object));
    let text = `keys ${list(input.keys)}: the frame carries only those fields plus ${sentenceList([...ALWAYS_KEPT_FIELDS])}`;
    if (absent.length > 0) text += `; ${sentenceList(absent)} ${absent.length === 1 ? 'is' : 'are'} not on the object, so left out`;
    parts.push(text);
  } else {
    parts.push('no keys: the frame carries the whole object');
  }
  return { step: { id: 'payload', ok: true, detail: parts.join('; ') }, payload };
}

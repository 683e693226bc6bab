// The what-if editor's text: an object shown masked and bounded, and typed JSON read back with a clear problem.

import { exceedsDepth } from '../../src/json-limits.js';
import { isPlainObject, type ParseJSON } from '../../src/livequery/protocol.js';
import { Redactor } from '../../src/timeline/redact.js';

/** Characters of an object's JSON the what-if editor takes: a bigger object is explained as fetched, not edited. */
export const MAX_EDITOR_CHARS = 200_000;

const masker = new Redactor();

/** The masked, indented JSON of an object for the editor, or a reason it is too large to edit. */
export function editorText(object: ParseJSON): { text: string } | { tooLarge: number } {
  // Too deep to walk: the masker would turn it into one string, which is no object to edit.
  if (exceedsDepth(object)) return { tooLarge: Infinity };
  let text: string;
  try {
    text = JSON.stringify(masker.value(object), null, 2) ?? '';
  } catch {
    return { tooLarge: Infinity };
  }
  return text.length > MAX_EDITOR_CHARS ? { tooLarge: text.length } : { text };
}

/** Parses what-if text: empty means "none" (a create for the original, a delete for the object). */
export function parseDraft(text: string, what: string): { ok: true; value: ParseJSON | null } | { ok: false; problem: string } {
  if (!text.trim()) return { ok: true, value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `The ${what} is not valid JSON: ${(error as Error).message}` };
  }
  if (value !== null && !isPlainObject(value)) return { ok: false, problem: `The ${what} must be a JSON object (or empty for none)` };
  return { ok: true, value };
}

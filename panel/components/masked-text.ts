// What the panel shows of a text or a JSON value: secrets masked, and at most a bounded number of characters, so that a
// megabyte frame from a page or server is neither redacted in full nor laid out on every render.

import { exceedsDepth, stringifyJSON } from '../../src/json-limits.js';
import { Redactor } from '../../src/timeline/redact.js';

/** Characters of a record's raw text shown in the detail pane. */
export const DETAIL_LIMIT = 100_000;
/** Characters shown in a table cell or a fact (result table, diff, marker facts). */
export const CELL_LIMIT = 1_000;
/**
 * Characters redacted beyond the limit before the text is cut: a secret that the cut splits is still recognised
 * whole, so no part of it shows.
 */
const REDACTION_MARGIN = 1_000;

/** Masks secret keys' values and session tokens until the user reveals them (no known secrets: any panel may show). */
const masker = new Redactor();

export interface ShownText {
  text: string;
  /** Characters of the original text left out (0 when it is shown whole). */
  hidden: number;
}

/** The note shown after a cut text. */
export const hiddenNote = (hidden: number): string => `… ${hidden.toLocaleString('en-US')} more characters not shown`;

/** `text` with its note, as one string (for a cell or a title). */
export const withNote = (shown: ShownText): string => (shown.hidden ? `${shown.text}${hiddenNote(shown.hidden)}` : shown.text);

/** The first `limit` characters of a text, unmasked (the user asked to reveal secrets). */
export function clipText(text: string, limit: number): ShownText {
  return text.length <= limit ? { text, hidden: 0 } : { text: text.slice(0, limit), hidden: text.length - limit };
}

/** The first `limit` characters of a text with secrets masked; only about that much is redacted. */
export function maskText(text: string, limit: number): ShownText {
  if (text.length <= limit) return { text: masker.text(text), hidden: 0 };
  return { text: masker.text(text.slice(0, limit + REDACTION_MARGIN)).slice(0, limit), hidden: text.length - limit };
}

/** A JSON value as one line of JSON, cut with a note past `limit` characters (any depth; nothing masked). */
export function jsonLine(value: unknown, limit = CELL_LIMIT): string {
  return withNote(clipText(stringifyJSON(value) ?? String(value), limit));
}

/** A JSON value as one line of JSON with secrets masked; a value too deep to walk is masked as text. */
export function maskJSON(value: unknown, limit: number): ShownText {
  if (exceedsDepth(value)) return maskText(stringifyJSON(value) ?? String(value), limit);
  return maskText(JSON.stringify(masker.value(value)) ?? String(value), limit);
}

/**
 * A frame for the Raw tab: JSON is masked by value and indented; other text (e.g. a frame cut for its size) is masked
 * as text, on the shown part only. With `reveal`, shown as it is.
 */
export function rawForDisplay(raw: string, reveal: boolean, limit = DETAIL_LIMIT): ShownText {
  const parsed = parseJSON(raw);
  if (parsed === NOT_JSON || exceedsDepth(parsed)) return reveal ? clipText(raw, limit) : maskText(raw, limit);
  return clipText(JSON.stringify(reveal ? parsed : masker.value(parsed), null, 2), limit);
}

const NOT_JSON = Symbol('not JSON');

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

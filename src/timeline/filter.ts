// Timeline filters: which records a user wants to see, compiled once into a fast predicate.

import { sourceKey } from './keys.js';
import type { RecordKind, TimelineRecord } from './record.js';

export interface TimelineFilter {
  /** Kinds to show; empty means all. */
  kinds: RecordKind[];
  /** A `sourceKey()`; empty means all sources. */
  source?: string;
  /** A `subscriptionKey()`. */
  subscriptionKey?: string;
  className?: string;
  /** Free text (case-insensitive) or, with `regex`, a regular expression matched against the record's text and JSON. */
  text?: string;
  regex?: boolean;
}

export const EMPTY_FILTER: TimelineFilter = { kinds: [] };

export type CompiledFilter = { ok: true; test: (record: TimelineRecord) => boolean } | { ok: false; error: string };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A user's regular expression sees the first this many characters of each text: backtracking costs grow with a
 * text's length (some patterns quadratically or worse), and a page or server chooses how long its frames are.
 */
export const MAX_REGEX_TEXT = 10_000;

/** The flags a filter's regular expression is compiled with. */
export const REGEX_FLAGS = 'i';

const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** The texts a filter looks at, in the order anyText tests them, each cut to `max` characters. */
export function filterTexts(r: TimelineRecord, max = MAX_REGEX_TEXT): string[] {
  const texts = [r.raw, r.label, r.summary, r.className, r.objectId, r.marker === undefined ? undefined : JSON.stringify(r.marker)];
  return texts.filter((text): text is string => text !== undefined).map((text) => cut(text, max));
}

/**
 * Whether `test` holds for the raw frame, label, summary, class, objectId or marker details, in filterTexts' order.
 * Each field is tested on its own: no joined or lower-cased copy of every frame is made, which halves the time of a
 * filter over 100k records. The raw frame goes first: a frame's op, class and objectId are in it too, so a record that
 * matches at all mostly matches there, and the other tests are skipped.
 *
 * `plainLength`, for a plain text (escaped, case-insensitive): most of a test's cost over 100k records is the regex
 * call itself, so two kinds of call are skipped. Without the `u` flag a match is exactly as long as the text, so a
 * shorter field cannot match (`test` checks that); and a class or objectId written whole in the summary (an event's
 * summary names both) cannot match where the summary did not. A regular expression proves neither.
 */
function anyText(test: (text: string) => boolean, plainLength?: number): (record: TimelineRecord) => boolean {
  const has = (text: string | undefined) => text !== undefined && test(text);
  const hasBesideSummary =
    plainLength === undefined
      ? has
      : (text: string | undefined, summary: string) => text !== undefined && text.length >= plainLength && !summary.includes(text) && test(text);
  return (r) =>
    has(r.raw) ||
    has(r.label) ||
    has(r.summary) ||
    hasBesideSummary(r.className, r.summary) ||
    hasBesideSummary(r.objectId, r.summary) ||
    (r.marker !== undefined && has(JSON.stringify(r.marker)));
}

/**
 * Whether every record that passes `next` also passes `previous`, so that applying `next` needs to test only the
 * records `previous` let through: the user typed on at the end of a free text, turned a kind chip off, or scoped.
 */
export function narrows(next: TimelineFilter, previous: TimelineFilter): boolean {
  if (previous.kinds.length && (!next.kinds.length || next.kinds.some((kind) => !previous.kinds.includes(kind)))) return false;
  if (previous.source && next.source !== previous.source) return false;
  if (previous.subscriptionKey && next.subscriptionKey !== previous.subscriptionKey) return false;
  if (previous.className && next.className !== previous.className) return false;
  const before = previous.text?.trim();
  if (!before) return true;
  const after = next.text?.trim();
  // Plain text only: a field that contains (case-insensitively) "abcd" contains "abc". A regex proves nothing alike.
  return !previous.regex && !next.regex && !!after && after.includes(before);
}

export function compileFilter(filter: TimelineFilter): CompiledFilter {
  const tests: ((r: TimelineRecord) => boolean)[] = [];
  if (filter.kinds.length) {
    const kinds = new Set(filter.kinds);
    tests.push((r) => kinds.has(r.kind));
  }
  if (filter.source) {
    const source = filter.source;
    tests.push((r) => sourceKey(r.source) === source);
  }
  if (filter.subscriptionKey) {
    const key = filter.subscriptionKey;
    tests.push((r) => r.subscriptionKey === key);
  }
  if (filter.className) {
    const className = filter.className;
    tests.push((r) => r.className === className);
  }
  const text = filter.text?.trim();
  if (text) {
    if (filter.regex) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(text, REGEX_FLAGS);
      } catch (error) {
        // V8's message already starts with "Invalid regular expression: /…/: …".
        const message = (error as Error).message;
        return { ok: false, error: message.startsWith('Invalid regular expression') ? message : `Invalid regular expression: ${message}` };
      }
      tests.push(anyText((text) => pattern.test(cut(text, MAX_REGEX_TEXT))));
    } else {
      const plain = new RegExp(escapeRegExp(text), 'i');
      tests.push(anyText((field) => field.length >= text.length && plain.test(field), text.length));
    }
  }
  if (tests.length === 0) return { ok: true, test: () => true };
  if (tests.length === 1) return { ok: true, test: tests[0]! };
  return { ok: true, test: (r) => tests.every((t) => t(r)) };
}

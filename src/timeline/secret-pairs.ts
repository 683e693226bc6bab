// Finds `"key": "value"` and `key=value` pairs in text that may not be JSON (a cut frame, a URL), in linear time:
// frames come from pages and servers, and a regular expression that backtracks over a long token freezes the panel.

/** A `"key": "value"` pair; the value may be cut off by the end of the text (then `end` is the text's length). */
export interface JsonPair {
  /** Offsets in the text: the key's opening quote, and just after the value's closing quote (or the text's end). */
  start: number;
  end: number;
  /** The key's and the value's bodies as written (still JSON-escaped), and what separates them (`:` and spaces). */
  key: string;
  colon: string;
  value: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Whitespace, a colon, whitespace and the value's opening quote, at a given offset. */
const COLON = /\s*:\s*"/y;

const isLineTerminator = (code: number): boolean => code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;

/**
 * Where a JSON string body that starts at `from` stops: at its closing quote, at a backslash that escapes nothing
 * (a line break or the end follows), or at the end of the text.
 */
function bodyEnd(text: string, from: number): number {
  const n = text.length;
  for (let i = from; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    if (code === BACKSLASH) {
      if (i + 1 >= n || isLineTerminator(text.charCodeAt(i + 1))) return i;
      i++;
    }
  }
  return n;
}

/**
 * Every pair, left to right and not overlapping: exactly what the global regular expression
 * `/"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)(?:"|$)/g` matches, without its quadratic cost on text full of
 * escaped quotes. After a failed attempt at a quote, every quote inside that key (an escaped one) would fail the
 * same way, since its key ends at the same place; so the search goes on from the key's end.
 */
export function* jsonPairs(text: string): Generator<JsonPair> {
  const n = text.length;
  let from = 0;
  while (from < n) {
    const start = text.indexOf('"', from);
    if (start < 0) return;
    const keyEnd = bodyEnd(text, start + 1);
    from = keyEnd;
    if (keyEnd >= n || text.charCodeAt(keyEnd) !== QUOTE) continue;
    COLON.lastIndex = keyEnd + 1;
    if (!COLON.test(text)) continue;
    const valueStart = COLON.lastIndex;
    const valueEnd = bodyEnd(text, valueStart);
    const closed = valueEnd < n && text.charCodeAt(valueEnd) === QUOTE;
    if (!closed && valueEnd < n) continue;
    const end = closed ? valueEnd + 1 : n;
    yield {
      start,
      end,
      key: text.slice(start + 1, keyEnd),
      colon: text.slice(keyEnd + 1, valueStart - 1),
      value: text.slice(valueStart, valueEnd),
    };
    from = end;
  }
}

/**
 * A `key=value` pair, as in a URL's query string. The key is the first letter of a run of `[A-Za-z0-9_-]` and the
 * rest of that run (`prefix` holds what comes before the letter). The lookbehind anchors each try at a run's start:
 * without it, a long token is scanned again from each of its characters (quadratic).
 */
export const QUERY_PAIR = /(?<![A-Za-z0-9_-])(?<prefix>[0-9_-]*)(?<key>[A-Za-z][A-Za-z0-9_-]*)=(?<value>[^&\s"'#]+)/g;

export interface QueryPairGroups {
  prefix: string;
  key: string;
  value: string;
}

/** The named groups of a QUERY_PAIR match. */
export const queryPairGroups = (match: RegExpMatchArray | RegExpExecArray): QueryPairGroups => match.groups as unknown as QueryPairGroups;

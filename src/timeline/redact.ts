// Removes secrets (session tokens, app keys) from recorded frames, record texts and server specs before export.

import { exceedsDepth, stringifyJSON } from '../json-limits.js';
import type { Marker, TimelineRecord } from './record.js';
import type { ServerSpec } from '../views.js';
import { jsonPairs, QUERY_PAIR, queryPairGroups } from './secret-pairs.js';

export const REDACTED = '[redacted]';
/** Known secret values shorter than this are not searched for in free text (too likely to hit unrelated words). */
export const MIN_SECRET_LENGTH = 8;

const SECRET_NAMES = ['sessiontoken', 'masterkey', 'javascriptkey', 'restapikey', 'clientkey', 'windowskey'];
/** A Parse revocable session token (`r:` and 32 hex digits) anywhere in text (linear: a try starts only at `r:`). */
const SESSION_TOKEN = /(?<![A-Za-z0-9])r:[0-9a-f]{16,}/gi;

/** Whether a key names a secret: `sessionToken`, `masterKey`, `X-Parse-Session-Token`, `restAPIKey`… */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[^a-z]/g, '');
  return SECRET_NAMES.some((secret) => name.endsWith(secret));
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hides = (value: unknown): boolean => value !== null && value !== undefined && value !== '';

function parseJSON(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function unescapeJSONString(body: string): string {
  const parsed = parseJSON(`"${body}"`);
  return parsed.ok && typeof parsed.value === 'string' ? parsed.value : body;
}

/** Text with the values of secret `"key": "value"` pairs replaced (a cut-off value gets its closing quote). */
function redactJsonPairs(text: string): string {
  let out = '';
  let copied = 0;
  for (const pair of jsonPairs(text)) {
    if (!isSecretKey(unescapeJSONString(pair.key))) continue;
    out += `${text.slice(copied, pair.start)}"${pair.key}"${pair.colon}"${REDACTED}"`;
    copied = pair.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

export class Redactor {
  private readonly known: string[];

  /** `secrets`: values to remove wherever they occur (e.g. every token seen in the recording). */
  constructor(secrets: Iterable<string> = []) {
    this.known = [...new Set(secrets)]
      .filter((s) => s.length >= MIN_SECRET_LENGTH && s !== REDACTED)
      .sort((a, b) => b.length - a.length);
  }

  /** Free text: known secret values, session tokens, and the values of secret `"key":"value"` and `key=value` pairs. */
  text(text: string): string {
    let out = text;
    for (const secret of this.known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    // A session token (`r:…`) and a `"key": "value"` pair both need a colon, a `key=value` pair an equals sign: most
    // record summaries have neither, and the service worker masks every one.
    if (!out.includes(':') && !out.includes('=')) return out;
    out = out.replace(SESSION_TOKEN, REDACTED);
    out = redactJsonPairs(out);
    return out.replace(QUERY_PAIR, (pair: string, ...args: unknown[]) => {
      const { prefix, key } = args.at(-1) as { prefix: string; key: string };
      return isSecretKey(key) ? `${prefix}${key}=${REDACTED}` : pair;
    });
  }

  /**
   * A JSON value, copied with secret keys' values replaced and every string scrubbed; the same value when clean. A
   * value nested deeper than MAX_JSON_DEPTH is not walked: it comes back as its JSON text, redacted as text.
   */
  value(value: unknown): unknown {
    if (exceedsDepth(value)) return this.text(stringifyJSON(value) ?? '');
    return this.walk(value);
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (!isObject(value)) return value;
    if (Array.isArray(value)) {
      const items = value.map((item: unknown) => this.walk(item));
      return items.every((item, i) => item === value[i]) ? value : items;
    }
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const next = isSecretKey(key) && hides(item) ? REDACTED : this.walk(item);
      if (next !== item) changed = true;
      setKey(out, key, next);
    }
    return changed ? out : value;
  }

  /**
   * A frame's text: JSON stays valid JSON and is rewritten only when something was removed; other text, and JSON
   * nested deeper than MAX_JSON_DEPTH, as `text()`.
   */
  frame(raw: string): string {
    const parsed = parseJSON(raw);
    if (!parsed.ok || exceedsDepth(parsed.value)) return this.text(raw);
    const redacted = this.walk(parsed.value);
    return redacted === parsed.value ? raw : JSON.stringify(redacted);
  }

  /** A marker with its texts scrubbed: only strings change, so it keeps its shape. */
  marker(marker: Marker): Marker {
    return this.value(marker) as Marker;
  }

  /** A record with its raw frame, marker and texts redacted. */
  record(record: TimelineRecord): TimelineRecord {
    const out = { ...record };
    for (const [key, value] of Object.entries(out) as [keyof TimelineRecord, unknown][]) {
      if (key === 'raw' && typeof value === 'string') out.raw = this.frame(value);
      else if (key === 'marker' && out.marker) out.marker = this.marker(out.marker);
      else if (typeof value === 'string' && key !== 'epoch' && key !== 'kind') setKey(out as Record<string, unknown>, key, this.text(value));
    }
    return out;
  }

  /** A server spec with its keys and token replaced and its texts scrubbed. */
  server(spec: ServerSpec): ServerSpec {
    const out = { ...spec };
    for (const [key, value] of Object.entries(out)) {
      if (isSecretKey(key) && hides(value)) setKey(out as Record<string, unknown>, key, REDACTED);
      else if (typeof value === 'string') setKey(out as Record<string, unknown>, key, this.text(value));
    }
    return out;
  }
}

/** Every secret value named in the records' frames and in the server specs, to be scrubbed wherever else it appears. */
export function collectSecrets(records: Iterable<TimelineRecord>, servers: Iterable<ServerSpec> = []): Set<string> {
  const found = new Set<string>();
  // Depth first and in key order, as a recursive walk would, but with a stack of its own: a value from a page or
  // server may nest thousands of levels deep.
  const walk = (value: unknown): void => {
    const entriesOf = (item: unknown) => (isObject(item) ? Object.entries(item).reverse() : []);
    const pending = entriesOf(value);
    while (pending.length) {
      const [key, item] = pending.pop()!;
      if (typeof item === 'string' && isSecretKey(key)) found.add(item);
      else for (const entry of entriesOf(item)) pending.push(entry);
    }
  };
  for (const record of records) {
    if (record.raw === undefined) continue;
    const parsed = parseJSON(record.raw);
    if (parsed.ok) {
      walk(parsed.value);
      continue;
    }
    for (const { key, value } of jsonPairs(record.raw)) {
      if (value && isSecretKey(unescapeJSONString(key))) found.add(unescapeJSONString(value));
    }
    for (const match of record.raw.matchAll(QUERY_PAIR)) {
      const { key, value } = queryPairGroups(match);
      if (isSecretKey(key)) found.add(value);
    }
  }
  for (const server of servers) walk(server);
  return found;
}

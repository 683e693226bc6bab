// Timeline records as a HAR 1.2 log: one WebSocket entry per source with its frames, as Chrome's HAR export writes them.

import { isEventKind } from './describe.js';
import { sourceKey } from './keys.js';
import type { TimelineRecord } from './record.js';
import { collectSecrets, Redactor } from './redact.js';

export interface HarOptions {
  /** The socket URL of each source, by `sourceKey()`. */
  urls?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Replace secrets with "[redacted]" (default true). */
  redact?: boolean;
  /** More secret values to remove wherever they occur. */
  secrets?: readonly string[];
  appVersion?: string;
}

/** One frame in Chrome's HAR extension: `time` is wall-clock seconds, `opcode` 1 a text frame. */
export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  time: number;
  opcode: number;
  data: string;
  /** Our extension field: the panel injected this frame into the page; it was never on the wire. */
  _injected?: true;
}

/** Frames only: records with a marker (states, local failures such as a socket error) are not on the wire. */
function direction(record: TimelineRecord): 'send' | 'receive' | undefined {
  if (record.raw === undefined || record.marker !== undefined) return undefined;
  if (record.kind === 'sent') return 'send';
  if (record.kind === 'received' || record.kind === 'error' || isEventKind(record.kind)) return 'receive';
  return undefined;
}

function urlFor(urls: HarOptions['urls'], key: string): string | undefined {
  if (!urls) return undefined;
  if (urls instanceof Map) return urls.get(key);
  const record = urls as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A HAR 1.2 log as JSON text; sources without frames are left out. */
export function exportHar(records: readonly TimelineRecord[], options: HarOptions = {}): string {
  const redactor = (options.redact ?? true) ? new Redactor([...collectSecrets(records), ...(options.secrets ?? [])]) : undefined;
  const bySource = new Map<string, HarWebSocketMessage[]>();
  for (const record of records) {
    const type = direction(record);
    if (!type) continue;
    const key = sourceKey(record.source);
    let messages = bySource.get(key);
    if (!messages) bySource.set(key, (messages = []));
    const message: HarWebSocketMessage = { type, time: record.time / 1000, opcode: 1, data: redactor ? redactor.frame(record.raw!) : record.raw! };
    if (record.injected) message._injected = true;
    messages.push(message);
  }
  const entries = [...bySource].map(([key, messages]) => {
    const first = messages.reduce((min, m) => Math.min(min, m.time), Infinity);
    const last = messages.reduce((max, m) => Math.max(max, m.time), -Infinity);
    const duration = Math.round((last - first) * 1000 * 1000) / 1000;
    const url = urlFor(options.urls, key) ?? `unknown:${key}`;
    return {
      startedDateTime: new Date(first * 1000).toISOString(),
      time: duration,
      request: {
        method: 'GET',
        url: redactor ? redactor.text(url) : url,
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [],
        queryString: [],
        headersSize: -1,
        bodySize: 0,
      },
      response: {
        status: 101,
        statusText: 'Switching Protocols',
        httpVersion: 'HTTP/1.1',
        cookies: [],
        headers: [],
        content: { size: 0, mimeType: 'x-unknown' },
        redirectURL: '',
        headersSize: -1,
        bodySize: 0,
      },
      cache: {},
      timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: duration },
      _resourceType: 'websocket',
      _webSocketMessages: messages,
    };
  });
  entries.sort((a, b) => (a.startedDateTime < b.startedDateTime ? -1 : a.startedDateTime > b.startedDateTime ? 1 : 0));
  const log = {
    version: '1.2',
    creator: { name: 'LiveQuery DevTools', version: options.appVersion ?? '' },
    pages: [],
    entries,
  };
  return JSON.stringify({ log }, null, 2);
}

// Reads version 1 recordings: their sentinel sources and labelled records become typed sources and markers.

import type { ClientState } from '../livequery/client.js';
import type { PageSocketState } from '../views.js';
import { subscriptionKey } from './keys.js';
import type { Marker, RecordSource, TimelineRecord } from './record.js';

/** Version 1 named the extension `{connection, serverId: ''}`, page loads `{page, socketId: 'document'}` and the relay `{page, socketId: 'relay'}`. */
export type V1Source = { type: 'connection'; serverId: string } | { type: 'page'; socketId: string; frameId: number };

export interface V1Record extends Omit<TimelineRecord, 'source' | 'marker'> {
  source: V1Source;
}

type Details = Record<string, unknown>;

const CLIENT_STATES: ReadonlySet<string> = new Set<ClientState>(['initialized', 'connecting', 'connected', 'reconnecting', 'closed', 'disconnected']);
const PAGE_SOCKET_STATES: ReadonlySet<string> = new Set<PageSocketState>(['connecting', 'open', 'closing', 'closed']);

function detailsOf(raw: string | undefined): Details {
  if (raw === undefined) return {};
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Details) : {};
  } catch {
    return {};
  }
}

const num = (d: Details, key: string): number | undefined => {
  const value = d[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const str = (d: Details, key: string): string | undefined => (typeof d[key] === 'string' ? d[key] : undefined);
/** The first number in a summary such as "3 page socket event(s) lost" or "…, 2 subscription(s)". */
const countIn = (text: string, pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);

function source(old: V1Source): RecordSource {
  if (old.type === 'connection') return old.serverId === '' ? { type: 'extension' } : { type: 'server', serverId: old.serverId };
  if (old.socketId === 'document' || old.socketId === 'relay') return { type: 'document', frameId: old.frameId };
  return { type: 'pageSocket', socketId: old.socketId, frameId: old.frameId };
}

/** The marker a version 1 record stood for, from its kind, label and details; undefined for a frame. */
function markerOf(old: V1Record): Marker | undefined {
  const d = detailsOf(old.raw);
  const { label, summary } = old;
  const fromServer = old.source.type === 'connection' && old.source.serverId !== '';
  switch (old.kind) {
    case 'connection':
      if (old.source.type === 'connection') {
        if (label === 'restored') {
          const servers = Array.isArray(d.servers) ? d.servers : [];
          return {
            type: 'restored',
            servers: servers.flatMap((s: unknown) => {
              const server = typeof s === 'object' && s !== null ? (s as Details) : {};
              const id = str(server, 'id');
              const serverURL = str(server, 'serverURL');
              return id !== undefined && serverURL !== undefined ? [{ id, serverURL }] : [];
            }),
            subscriptions: countIn(summary, /(\d+) subscription/),
          };
        }
        if (label === 'edited') return { type: 'serverEdited', serverURL: str(d, 'serverURL') ?? '' };
        if (label === 'token switched') {
          const anonymous = summary.includes('anonymous (no token)');
          const tokenLabel = str(d, 'tokenLabel');
          return {
            type: 'tokenSwitched',
            subscriptionId: str(d, 'subscriptionId') ?? '',
            anonymous,
            ...(!anonymous && tokenLabel !== undefined ? { tokenLabel } : {}),
          };
        }
        if (CLIENT_STATES.has(label)) {
          const marker: Marker = { type: 'connectionState', state: label as ClientState, attempt: num(d, 'attempt') ?? 0 };
          for (const key of ['delayMs', 'nextRetryAt', 'code'] as const) {
            const value = num(d, key);
            if (value !== undefined) marker[key] = value;
          }
          const reason = str(d, 'reason');
          if (reason !== undefined) marker.reason = reason;
          return marker;
        }
        return undefined;
      }
      if (old.source.socketId === 'document' && label === 'navigated') {
        return { type: 'navigated', url: str(d, 'url') ?? summary, generation: num(d, 'generation') ?? 0 };
      }
      switch (label) {
        case 'connecting':
          return { type: 'pageSocketCreated', url: summary };
        case 'open':
          return { type: 'pageSocketOpen', url: summary };
        case 'socket error':
          return { type: 'socketError' };
        case 'closed':
          return { type: 'pageSocketClosed', code: num(d, 'code') ?? 0, reason: str(d, 'reason') ?? '', wasClean: d.wasClean === true };
        case 'resumed': {
          const state = str(d, 'state');
          const marker: Marker = {
            type: 'resumed',
            url: str(d, 'url') ?? '',
            state: state !== undefined && PAGE_SOCKET_STATES.has(state) ? (state as PageSocketState) : 'open',
            subscriptions: countIn(summary, /\((\d+) subscription/),
          };
          const applicationId = str(d, 'applicationId');
          const clientId = str(d, 'clientId');
          if (applicationId !== undefined) marker.applicationId = applicationId;
          if (clientId !== undefined) marker.clientId = clientId;
          return marker;
        }
        default:
          return undefined;
      }
    case 'gap':
      if (label === 'possible gap') return { type: 'gap', from: num(d, 'from') ?? old.time, to: num(d, 'to') ?? old.time };
      if (label === 'dropped') return { type: 'relayDropped', count: countIn(summary, /^(\d+)/) };
      if (label === 'records dropped') return { type: 'backlogDropped', count: num(d, 'dropped') ?? countIn(summary, /^(\d+)/) };
      return undefined;
    case 'error':
      // Other error records were frames: a server's error frame, or a received frame that was not LiveQuery.
      if (label === 'socket error' && fromServer) {
        const message = str(d, 'message');
        return message === undefined ? { type: 'socketError' } : { type: 'socketError', message };
      }
      if (label === 'no answer' && fromServer) return { type: 'noAnswer', timeoutMs: num(d, 'timeoutMs') ?? 0 };
      if (label === 'invalid server') return { type: 'invalidServer', serverURL: str(d, 'serverURL') ?? '', error: summary };
      if (label === 'invalid query') {
        return {
          type: 'invalidQuery',
          error: summary.replace(/^not sent: /, ''),
          className: str(d, 'className') ?? '',
          where: str(d, 'where') ?? '',
          keys: str(d, 'keys') ?? '',
          watch: str(d, 'watch') ?? '',
        };
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Version 1's subscription keys: the subscription id for a server, `<socketId>:<requestId>` for a page socket. */
function keyOf(old: V1Record): string | undefined {
  const key = old.subscriptionKey;
  if (key === undefined) return undefined;
  if (old.source.type === 'connection') {
    return old.source.serverId === '' ? key : subscriptionKey({ type: 'server', serverId: old.source.serverId, subscriptionId: key });
  }
  const prefix = `${old.source.socketId}:`;
  const requestId = key.startsWith(prefix) ? Number(key.slice(prefix.length)) : NaN;
  return Number.isSafeInteger(requestId) ? subscriptionKey({ type: 'pageSocket', socketId: old.source.socketId, requestId }) : key;
}

/** A version 1 record as the current model has it: typed source, marker (whose details replace `raw`), keys. */
export function upgradeV1Record(old: V1Record): TimelineRecord {
  const { source: oldSource, subscriptionKey: _oldKey, raw, ...rest } = old;
  const record: TimelineRecord = { ...rest, source: source(oldSource) };
  const marker = markerOf(old);
  const key = keyOf(old);
  if (key !== undefined) record.subscriptionKey = key;
  if (marker) record.marker = marker;
  else if (raw !== undefined) record.raw = raw;
  return record;
}

/** Version 1's source keys (`connection:<serverId>`, `page:<socketId>`) as `sourceKey()` names them. */
export function upgradeV1SourceKey(key: string): string {
  if (key === 'connection:') return 'extension';
  if (key.startsWith('connection:')) return `server:${key.slice('connection:'.length)}`;
  if (key === 'page:document') return 'document:0';
  if (key.startsWith('page:')) return `pageSocket:${key.slice('page:'.length)}`;
  return key;
}

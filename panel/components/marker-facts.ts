// What the detail pane says about a record that is not a frame: its marker's details, in words.

import { unreachable, type GapReason, type Marker, type RecoveredChange, type TimelineRecord } from '../../src/timeline/record.js';
import { PARSE_TOKEN_ADVICE } from '../store/token-radar.js';
import { latencyClock, verdictText, WRITE_TEXT } from './fleet-format.js';
import { formatClock } from './format.js';
import { subscriptionLabel } from './subscription-label.js';

export type Fact = [name: string, value: string];

const GAP_CAUSES: Record<GapReason, string> = {
  connectionLost: 'the socket dropped',
  connectionClosed: 'the extension closed the connection',
  workerRestarted: 'the extension’s service worker restarted',
};

const RECOVERED_MEANINGS: Record<RecoveredChange, string> = {
  appeared: 'appeared: matches now, its create or enter was missed',
  changed: 'changed: its update was missed',
  left: 'left: no longer matches or no longer readable (or deleted)',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const optional = (name: string, value: string | number | undefined): Fact[] => (value === undefined || value === '' ? [] : [[name, String(value)]]);

/** One switch over every marker type: a new or renamed marker does not compile until the panel says what it means. */
export function markerFacts(marker: Marker): Fact[] {
  switch (marker.type) {
    case 'connectionState':
      return [
        ['state', marker.state],
        ['attempt', String(marker.attempt)],
        ...optional('next attempt in', marker.delayMs === undefined ? undefined : seconds(marker.delayMs)),
        ...optional('close code', marker.code),
        ...optional('reason', marker.reason),
      ];
    case 'serverEdited':
      return [['server URL', marker.serverURL]];
    case 'tokenSwitched':
      // Which subscription: recordFacts names it as the lists do (the marker's id is internal).
      return [
        ['new token', marker.anonymous ? 'none (anonymous)' : (marker.tokenLabel ?? 'a token not in the keyring')],
      ];
    case 'noAnswer':
      return [['waited', seconds(marker.timeoutMs)]];
    case 'gap':
      return [
        ['from', formatClock(marker.from)],
        ['to', formatClock(marker.to)],
        ['duration', seconds(marker.to - marker.from)],
        ['cause', marker.reason ? GAP_CAUSES[marker.reason] : 'not recorded'],
      ];
    case 'socketError':
      return [['message', marker.message ?? 'none (browsers give pages no details)']];
    case 'restored':
      return [
        ['servers', marker.servers.map((s) => s.serverURL).join(', ') || 'none'],
        ['subscriptions', String(marker.subscriptions)],
      ];
    case 'invalidServer':
      return [
        ['server URL', marker.serverURL],
        ['error', marker.error],
      ];
    case 'invalidQuery':
      return [
        ['error', marker.error],
        ['class', marker.className],
        ['where', marker.where],
        ...optional('keys', marker.keys),
        ...optional('watch', marker.watch),
      ];
    case 'backlogDropped':
      return [['dropped', `${marker.count} record(s)`]];
    case 'notDelivered':
      return [
        ['not delivered', marker.count ? `${marker.count} record(s)` : 'a view of servers or page sockets'],
        ...optional('record', marker.seq === undefined ? undefined : `#${marker.seq}`),
        ['why', 'the message was too large or could not be serialized for the panel'],
      ];
    case 'navigated':
      return [
        ['URL', marker.url],
        ['page load', String(marker.generation)],
      ];
    case 'relayDropped':
      return [['lost', `${marker.count} socket event(s)`]];
    case 'pageNotKept':
      return [['not kept', `${marker.count} socket event(s), from before a panel watched the tab`]];
    case 'pageSocketCreated':
    case 'pageSocketOpen':
      return [['URL', marker.url]];
    case 'pageSocketClosed':
      return [
        ['code', String(marker.code)],
        ['reason', marker.reason || 'none'],
        ['clean', marker.wasClean ? 'yes' : 'no'],
      ];
    case 'recovered':
      return [
        ['change', RECOVERED_MEANINGS[marker.change]],
        ...optional('fields', marker.fields?.join(', ')),
        ['stale since', formatClock(marker.staleSince)],
        ['found by', 'What did I miss?: the query run again over REST after a gap'],
        ['deletes', 'an object deleted during the gap cannot be known from REST'],
      ];
    case 'tokenInvalid':
      return [
        ['token', `${marker.tokenLabel ?? 'a token not in the keyring'} (${marker.applies === 'subscription' ? "the subscription's own" : "the connection's"})`],
        ['state', marker.state === 'revoked' ? 'revoked or invalid: the server refused it (209)' : 'its session expired'],
        ...optional('user', marker.username || marker.userId ? `${marker.username ?? '?'} (${marker.userId ?? '?'})` : undefined),
        ...optional('session expires', marker.expiresAt),
        ...optional('server said', marker.detail),
        ['advice', PARSE_TOKEN_ADVICE],
      ];
    case 'fanoutCheck':
      return [
        ['fleet', marker.fleet],
        ['class', marker.className],
        ['event', WRITE_TEXT[marker.write]],
        ...optional('object', marker.objectId),
        ...marker.nodes.map((node): Fact => [node.node, verdictText(node)]),
        ['latency', latencyClock(marker.write)],
        ['wait window', seconds(marker.waitMs)],
        ['late after', `${marker.lateMs} ms behind the fastest`],
        ...optional('error', marker.error),
      ];
    case 'resumed':
      return [
        ['URL', marker.url],
        ['state', marker.state],
        ['subscriptions', String(marker.subscriptions)],
        ...optional('application', marker.applicationId),
        ...optional('clientId', marker.clientId),
      ];
    default:
      return unreachable(marker);
  }
}

/** The detail pane's facts of a record that is not a frame: its subscription, then its marker's details. */
export function recordFacts(record: TimelineRecord, subscriptionNames: ReadonlyMap<string, string>): Fact[] {
  if (!record.marker) return [];
  return [...optional('subscription', subscriptionLabel(record, subscriptionNames)), ...markerFacts(record.marker)];
}

/** Marker fields that hold an epoch time in ms: shown as a clock time, as everywhere else in the panel. */
const TIME_FIELDS = new Set(['from', 'to', 'nextRetryAt']);

/** A marker as the detail pane's JSON and Raw tabs show it: its times as HH:MM:SS.mmm rather than epoch floats. */
export function markerJSON(marker: Marker): string {
  return JSON.stringify(marker, (key, value: unknown) => (TIME_FIELDS.has(key) && typeof value === 'number' ? formatClock(value) : value));
}

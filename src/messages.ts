// Every message that crosses a process boundary: one discriminated union per channel, each with a validator.

import { isKeyringView, isTokenEntry, type KeyringView, type TokenEntry } from './keyring.js';
import { checkClientFrame, isPlainObject, type QueryJSON } from './livequery/protocol.js';
import type { TimelineRecord } from './timeline/record.js';
import type { PageSocketView, ServerSpec, ServerView } from './views.js';

/* ---------- page (MAIN world hook) → content script (ISOLATED relay), via window.postMessage ---------- */

export const HOOK_TAG = '__liveQueryDevtoolsHook__';
/** Frames longer than this are cut (and marked) before they leave the page, to bound memory and message size. */
export const MAX_FRAME_CHARS = 1_000_000;

export type PageSocketEvent =
  | { type: 'created'; socketId: string; url: string; time: number }
  | { type: 'open'; socketId: string; time: number }
  | { type: 'close'; socketId: string; code: number; reason: string; wasClean: boolean; time: number }
  | { type: 'error'; socketId: string; time: number }
  | {
      type: 'frame';
      socketId: string;
      direction: 'sent' | 'received';
      /** Text frames: the text (cut to MAX_FRAME_CHARS). */
      text?: string;
      /** Set when the text was cut: the original length. */
      truncatedFrom?: number;
      /** Binary frames: their size in bytes (content is not carried). */
      binarySize?: number;
      time: number;
    };

/**
 * The synchronous channel the hook uses while the document unloads (pagehide), when timers and queued postMessage
 * tasks no longer run: a CustomEvent of this type on window whose `detail` is a HookMessage as JSON text (a string
 * is what crosses from the MAIN world to the ISOLATED one).
 */
export const HOOK_URGENT_EVENT = '__liveQueryDevtoolsHookUrgent__';

export interface HookMessage {
  tag: typeof HOOK_TAG;
  events: PageSocketEvent[];
  /** State-defining events a watcher was already sent: for rebuilding socket state, not for recording again. */
  replay?: true;
  /** Events before these that happened while nobody watched and that the page's bounded summary did not keep. */
  notKept?: number;
  /** The hook's sequence number of the last event (not on replays): how far the service worker got. */
  seq?: number;
}

/* ---------- content script (relay) → page (MAIN world hook), synchronously ---------- */

/**
 * A CustomEvent of this type on window whose `detail` is a HookControl string; `n` is the hook's sequence number of
 * the last event that reached the service worker. `watch:n`: a panel watches the tab, the hook hands over at once
 * (through HOOK_URGENT_EVENT) what came after n and then posts every event; `unwatch:n`: it posts nothing, keeps its
 * bounded summary and resumes after n next time. The hook's listener runs first and stops the event there.
 */
export const HOOK_CONTROL_EVENT = '__liveQueryDevtoolsHookControl__';
export type HookControl = `watch:${number}` | `unwatch:${number}`;

/** The verb and sequence number of a control string, or undefined for anything else. */
export function parseHookControl(detail: unknown): { watch: boolean; delivered: number } | undefined {
  if (typeof detail !== 'string') return undefined;
  const match = /^(watch|unwatch):(\d{1,15})$/.exec(detail);
  return match ? { watch: match[1] === 'watch', delivered: Number(match[2]) } : undefined;
}

/* ---------- content script (relay) → background, over a port named RELAY_PORT ---------- */

export const RELAY_PORT = 'livequery-page-relay';

export type RelayToBackground =
  /**
   * The first message of every port: a frame's document announces itself (at start or on a back/forward-cache
   * restore when a panel is open somewhere, or when a panel starts to watch the tab); the worker answers on the port
   * whether it watches the tab. The top frame's first announce to a worker marks a new page load.
   */
  | {
      type: 'document';
      url: string;
      /** Random per document: the same document announced again (a panel opened) is not a new page load. */
      documentId: string;
      /**
       * Set when a worker already took this document as the tab's page load (it may have restarted since): the panel
       * knows it, it is not a new page load.
       */
      again?: true;
    }
  | {
      type: 'socketEvents';
      events: PageSocketEvent[];
      /**
       * Set on the first events of a port: the state-defining events of the page's sockets that reached a worker
       * before (this one, or an earlier instance that was stopped). For rebuilding socket state, not for recording.
       */
      replay?: boolean;
      /** Events the relay dropped before these (its queue overflowed while the background was unreachable). */
      dropped?: number;
      /** Events before these that happened while no panel watched and that the page did not keep. */
      notKept?: number;
    };

/* ---------- background → content script (relay), via tabs.sendMessage or the relay's port ---------- */

/**
 * Whether a panel watches the tab (a panel is open for it, or Preserve log was on when its last panel closed). The
 * relay forwards page traffic only while watched; a relay that starts to be watched announces its document and
 * hands over the page's summary.
 */
export type BackgroundToRelay = { type: 'watch'; on: boolean };

export function isBackgroundToRelay(value: unknown): value is BackgroundToRelay {
  return isPlainObject(value) && value.type === 'watch' && typeof value.on === 'boolean';
}

/* ---------- background → every content script, via storage.local ---------- */

/**
 * Set (to true) while a panel watches some tab. A relay that starts in a new document reads it and connects only
 * when it is set, so that while no panel is open a page load does not wake the service worker.
 */
export const WATCHING_STORAGE_KEY = 'liveQueryDevtools.watching';

/* ---------- panel ⇄ background, over a port named PANEL_PORT_PREFIX + tabId ---------- */

export const PANEL_PORT_PREFIX = 'livequery-panel:';

export type PanelToBackground =
  | { type: 'hello'; tabId: number; after?: { epoch: string; seq: number }; preserveLog?: boolean }
  | { type: 'heartbeat' }
  /** The page's traffic keeps being recorded after the panel closes while Preserve log is on. */
  | { type: 'setPreserveLog'; on: boolean }
  | { type: 'addServer'; commandId: string; spec: ServerSpec }
  | { type: 'editServer'; commandId: string; serverId: string; spec: ServerSpec }
  | { type: 'removeServer'; commandId: string; serverId: string }
  | { type: 'setServerEnabled'; commandId: string; serverId: string; enabled: boolean }
  | { type: 'subscribe'; commandId: string; serverId: string; query: QueryJSON; sessionToken?: string }
  | { type: 'unsubscribe'; commandId: string; serverId: string; subscriptionId: string }
  | { type: 'updateSubscription'; commandId: string; serverId: string; subscriptionId: string; query: QueryJSON }
  | {
      type: 'setSubscriptionToken';
      commandId: string;
      serverId: string;
      subscriptionId: string;
      sessionToken?: string;
      /** The keyring name of the new token, for the timeline (the token itself is never shown). */
      tokenLabel?: string;
    }
  /** Subscribe from the panel to what the page subscribed to: on the panel's server for that URL and app, added if needed. */
  | { type: 'adoptPageSubscription'; commandId: string; spec: ServerSpec; query: QueryJSON; sessionToken?: string }
  | { type: 'clearBacklog' }
  | KeyringCommand;

/**
 * The keyring's commands: the service worker owns the keyring (and the Remember setting) and sends every panel, in
 * every tab, the whole keyring after each change; panels never write it themselves.
 */
export type KeyringCommand =
  | { type: 'keyringAdd'; commandId: string; entry: TokenEntry }
  | { type: 'keyringRemove'; commandId: string; id: string }
  | { type: 'keyringSetPersisted'; commandId: string; persisted: boolean };

export function isKeyringCommand(message: PanelToBackground): message is KeyringCommand {
  return message.type === 'keyringAdd' || message.type === 'keyringRemove' || message.type === 'keyringSetPersisted';
}

export type BackgroundToPanel =
  | {
      type: 'welcome';
      epoch: string;
      servers: ServerView[];
      pageSockets: PageSocketView[];
      /** Records the panel has not seen yet (all retained ones for a new epoch). */
      backlog: TimelineRecord[];
      /** How many records the bounded backlog dropped before the first one sent. */
      backlogDropped: number;
    }
  | { type: 'batch'; records: TimelineRecord[]; servers?: ServerView[]; pageSockets?: PageSocketView[] }
  | { type: 'commandResult'; commandId: string; ok: boolean; error?: string }
  /** The whole keyring: in answer to every hello, and to every panel after each change. */
  | { type: 'keyring'; keyring: KeyringView };

/* ---------- validators ---------- */

const isString = (v: unknown): v is string => typeof v === 'string';
const isOptionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function isServerSpec(value: unknown): value is ServerSpec {
  return (
    isPlainObject(value) &&
    isString(value.serverURL) &&
    isString(value.applicationId) &&
    isOptionalString(value.javascriptKey) &&
    isOptionalString(value.masterKey) &&
    isOptionalString(value.sessionToken) &&
    isOptionalString(value.label) &&
    (value.restURL === undefined || isRestURL(value.restURL))
  );
}

/** An http(s) URL: what a server entry's REST root may be. */
export function isRestURL(value: unknown): value is string {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

export function isQueryJSON(value: unknown): value is QueryJSON {
  return checkClientFrame({ op: 'subscribe', requestId: 0, query: value }).ok;
}

export function isPanelToBackground(value: unknown): value is PanelToBackground {
  if (!isPlainObject(value)) return false;
  const v = value;
  switch (v.type) {
    case 'hello':
      return (
        isNumber(v.tabId) &&
        (v.after === undefined || (isPlainObject(v.after) && isString(v.after.epoch) && isNumber(v.after.seq))) &&
        (v.preserveLog === undefined || typeof v.preserveLog === 'boolean')
      );
    case 'setPreserveLog':
      return typeof v.on === 'boolean';
    case 'heartbeat':
    case 'clearBacklog':
      return true;
    case 'addServer':
      return isString(v.commandId) && isServerSpec(v.spec);
    case 'editServer':
      return isString(v.commandId) && isString(v.serverId) && isServerSpec(v.spec);
    case 'removeServer':
      return isString(v.commandId) && isString(v.serverId);
    case 'setServerEnabled':
      return isString(v.commandId) && isString(v.serverId) && typeof v.enabled === 'boolean';
    case 'subscribe':
      return isString(v.commandId) && isString(v.serverId) && isQueryJSON(v.query) && isOptionalString(v.sessionToken);
    case 'unsubscribe':
      return isString(v.commandId) && isString(v.serverId) && isString(v.subscriptionId);
    case 'updateSubscription':
      return isString(v.commandId) && isString(v.serverId) && isString(v.subscriptionId) && isQueryJSON(v.query);
    case 'setSubscriptionToken':
      return (
        isString(v.commandId) &&
        isString(v.serverId) &&
        isString(v.subscriptionId) &&
        isOptionalString(v.sessionToken) &&
        isOptionalString(v.tokenLabel)
      );
    case 'adoptPageSubscription':
      return isString(v.commandId) && isServerSpec(v.spec) && isQueryJSON(v.query) && isOptionalString(v.sessionToken);
    case 'keyringAdd':
      return isString(v.commandId) && isTokenEntry(v.entry);
    case 'keyringRemove':
      return isString(v.commandId) && isString(v.id);
    case 'keyringSetPersisted':
      return isString(v.commandId) && typeof v.persisted === 'boolean';
    default:
      return false;
  }
}

export function isBackgroundToPanel(value: unknown): value is BackgroundToPanel {
  if (!isPlainObject(value)) return false;
  switch (value.type) {
    case 'welcome':
      return isString(value.epoch) && Array.isArray(value.servers) && Array.isArray(value.backlog);
    case 'batch':
      return Array.isArray(value.records);
    case 'commandResult':
      return isString(value.commandId) && typeof value.ok === 'boolean';
    case 'keyring':
      return isKeyringView(value.keyring);
    default:
      return false;
  }
}

const SOCKET_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isPageSocketEvent(value: unknown): value is PageSocketEvent {
  if (!isPlainObject(value) || !isString(value.socketId) || !SOCKET_ID.test(value.socketId) || !isNumber(value.time)) {
    return false;
  }
  switch (value.type) {
    case 'created':
      return isString(value.url) && value.url.length <= 8192;
    case 'open':
    case 'error':
      return true;
    case 'close':
      return isNumber(value.code) && isString(value.reason) && typeof value.wasClean === 'boolean';
    case 'frame':
      return (
        (value.direction === 'sent' || value.direction === 'received') &&
        (value.text === undefined || (isString(value.text) && value.text.length <= MAX_FRAME_CHARS)) &&
        (value.truncatedFrom === undefined || isNumber(value.truncatedFrom)) &&
        (value.binarySize === undefined || isNumber(value.binarySize)) &&
        (value.text !== undefined) !== (value.binarySize !== undefined)
      );
    default:
      return false;
  }
}

/** Max events the relay batches in one message. */
export const MAX_EVENTS_PER_MESSAGE = 500;

export function isHookMessage(value: unknown): value is HookMessage {
  return (
    isPlainObject(value) &&
    value.tag === HOOK_TAG &&
    Array.isArray(value.events) &&
    value.events.length <= MAX_EVENTS_PER_MESSAGE &&
    value.events.every(isPageSocketEvent) &&
    (value.replay === undefined || value.replay === true) &&
    (value.notKept === undefined || isNumber(value.notKept)) &&
    (value.seq === undefined || isNumber(value.seq))
  );
}

export function isRelayToBackground(value: unknown): value is RelayToBackground {
  if (!isPlainObject(value)) return false;
  switch (value.type) {
    case 'document':
      return (
        isString(value.url) &&
        value.url.length <= 8192 &&
        isString(value.documentId) &&
        value.documentId.length <= 64 &&
        (value.again === undefined || value.again === true)
      );
    case 'socketEvents':
      return (
        (value.replay === undefined || typeof value.replay === 'boolean') &&
        (value.dropped === undefined || isNumber(value.dropped)) &&
        (value.notKept === undefined || isNumber(value.notKept)) &&
        Array.isArray(value.events) &&
        value.events.length <= MAX_EVENTS_PER_MESSAGE &&
        value.events.every(isPageSocketEvent)
      );
    default:
      return false;
  }
}

// Every message that crosses a process boundary: one discriminated union per channel, each with a validator.

import { isKeyringView, isTokenEntry, type KeyringView, type TokenEntry } from './keyring.js';
import { checkClientFrame, isPlainObject, type QueryJSON } from './livequery/protocol.js';
import { checkInjectedEvent, type InjectedEvent } from './inject/event-frame.js';
import type { TimelineRecord } from './timeline/record.js';
import type { RegexCost, RegexCostRequest } from './timeline/regex-cost.js';
import { MAX_SOCKETS_PER_SERVER, type FleetChoice, type FormerServer, type PageSocketView, type ServerSpec, type ServerView } from './views.js';

/* ---------- page (MAIN world hook) ⇄ content script (ISOLATED relay), over a private MessagePort ---------- */

/**
 * The hook's first act at document_start, before any page script runs: `window.postMessage(HOOK_HANDSHAKE, '*',
 * [port])` hands the relay one end of a MessageChannel. The relay's capture listener, registered at document_start
 * too, takes the first such message, stops it there and stops listening. Everything else goes over the port, which no
 * page script can reach: the page neither sees the traffic nor can forge it.
 */
export const HOOK_HANDSHAKE = 'liveQueryDevtools:hook-port';
/** Page frames longer than this are cut (and marked with `truncatedFrom`) before they leave the page. */
export const MAX_PAGE_FRAME_CHARS = 64 * 1024;
/** Page socket URLs longer than this are cut by the hook and refused by the validators. */
export const MAX_PAGE_URL_CHARS = 8192;
/** A WebSocket close reason is at most 123 bytes; anything longer is not from a real socket. */
export const MAX_CLOSE_REASON_CHARS = 1024;
/** Events per message, hook → relay and relay → service worker. */
export const MAX_EVENTS_PER_MESSAGE = 500;
/** Characters per message (see pageEventChars), hook → relay and relay → service worker: bigger batches are split. */
export const MAX_PAGE_MESSAGE_CHARS = 1_000_000;

export type PageSocketEvent =
  | { type: 'created'; socketId: string; url: string; time: number }
  | { type: 'open'; socketId: string; time: number }
  | { type: 'close'; socketId: string; code: number; reason: string; wasClean: boolean; time: number }
  | { type: 'error'; socketId: string; time: number }
  | {
      type: 'frame';
      socketId: string;
      direction: 'sent' | 'received';
      /** Text frames: the text (cut to MAX_PAGE_FRAME_CHARS). */
      text?: string;
      /** Set when the text was cut: the original length. */
      truncatedFrom?: number;
      /** Binary frames: their size in bytes (content is not carried). */
      binarySize?: number;
      /** A received frame the panel injected (delivered by the hook to the page's listeners; no server sent it). */
      injected?: true;
      time: number;
    };

/** What an event weighs in a message: its strings plus a fixed allowance for the rest. */
export function pageEventChars(event: PageSocketEvent): number {
  const base = 64 + event.socketId.length;
  switch (event.type) {
    case 'created':
      return base + event.url.length;
    case 'close':
      return base + event.reason.length;
    case 'frame':
      return base + (event.text?.length ?? 0);
    default:
      return base;
  }
}

/** Events a panel watches, hook → relay (over the port, or as the synchronous event while the document unloads). */
export interface HookMessage {
  type: 'events';
  /** The `generation` of the watch they answer: the relay drops events of an earlier watch still in flight. */
  generation: number;
  events: PageSocketEvent[];
  /** State-defining events a watcher was already sent: for rebuilding socket state, not for recording again. */
  replay?: true;
  /** Events before these that happened while nobody watched and that the page's bounded summary did not keep. */
  notKept?: number;
  /** The hook's sequence number of the last event (not on replays): how far the service worker got. */
  seq?: number;
}

export type HookToRelay =
  /**
   * The first message on the port. `syncEvent` is a random event type: while the document unloads (when queued port
   * messages are never delivered) the hook dispatches a CustomEvent of that type on window, whose `detail` is a
   * HookMessage as JSON text, and the relay's listener stops it there. No page script knows the type.
   */
  | { type: 'hello'; syncEvent: string }
  /** The answer to an `inject` control: what became of injection `injectionId`. */
  | { type: 'injected'; injectionId: number; outcome: InjectOutcome }
  | HookMessage;

/**
 * What became of an injected frame: `delivered` to the socket's listeners as a received message; not delivered because
 * the socket is `closed` (or closing), or the hook does not know it (`unknownSocket`: gone with its document, or not a
 * LiveQuery socket), or the page has no hook to deliver it (`noHook`).
 */
export type InjectOutcome = 'delivered' | 'closed' | 'unknownSocket' | 'noHook';
const INJECT_OUTCOMES: readonly InjectOutcome[] = ['delivered', 'closed', 'unknownSocket', 'noHook'];

export function isInjectOutcome(value: unknown): value is InjectOutcome {
  return INJECT_OUTCOMES.includes(value as InjectOutcome);
}

export function isHookInjected(value: unknown): value is Extract<HookToRelay, { type: 'injected' }> {
  return isPlainObject(value) && value.type === 'injected' && isCount(value.injectionId) && isInjectOutcome(value.outcome);
}

/**
 * Relay → hook, over the port. `watch`: a panel watches the tab; the hook hands over what came after event
 * `delivered` (the last that reached the service worker) and then posts every event, stamped with `generation`.
 * `unwatch`: it posts nothing, keeps its bounded summary and resumes after `delivered` next time. Validated by the
 * hook itself (hook-link.ts), which must not call anything a page script could have replaced.
 */
export type RelayToHook =
  | { type: 'watch' | 'unwatch'; generation: number; delivered: number }
  /**
   * Deliver `text` to page socket `socketId` as if its server had sent it (a message event to its listeners and
   * onmessage; nothing is sent anywhere). The hook answers with `injected`.
   */
  | { type: 'inject'; injectionId: number; socketId: string; text: string };

/** Longest `detail` of the synchronous event: a full message as JSON, every character escaped at worst. */
export const MAX_SYNC_EVENT_CHARS = 6 * MAX_PAGE_MESSAGE_CHARS + 256 * MAX_EVENTS_PER_MESSAGE;

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
       * When the document started, on the page's clock (the clock of its socket events): the page load is placed
       * before its sockets however late the worker hears of it.
       */
      startedAt?: number;
      /**
       * Set when a worker already took this document as the tab's page load (it may have restarted since): the panel
       * knows it, it is not a new page load.
       */
      again?: true;
    }
  | {
      type: 'socketEvents';
      /** At most MAX_EVENTS_PER_MESSAGE events and MAX_PAGE_MESSAGE_CHARS characters (see pageEventChars). */
      events: PageSocketEvent[];
      /**
       * Set on the first events of a port: the state-defining events of the page's sockets that reached a worker
       * before (this one, or an earlier instance that was stopped). For rebuilding socket state, not for recording.
       */
      replay?: boolean;
      /**
       * Events the relay dropped before these: its bounded queue overflowed, or a port.postMessage failed (those
       * events are not sent again).
       */
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

/**
 * Background → the relay of one frame (tabs.sendMessage with its frameId): the panel injects `text` into page socket
 * `socketId`. The relay answers (the message's response) with an InjectOutcome.
 */
export type InjectRequest = { type: 'inject'; socketId: string; text: string };

export function isInjectRequest(value: unknown): value is InjectRequest {
  return (
    isPlainObject(value) &&
    value.type === 'inject' &&
    isString(value.socketId) &&
    SOCKET_ID.test(value.socketId) &&
    isString(value.text) &&
    value.text.length <= MAX_PAGE_FRAME_CHARS
  );
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
  /** `subscriptionId`: chosen by the panel for a subscription it removes again itself (the fan-out check's). */
  | { type: 'subscribe'; commandId: string; serverId: string; query: QueryJSON; sessionToken?: string; subscriptionId?: string }
  /** Fleets: group a server entry with others by hand, keep it alone, or go back to grouping by app id and REST URL. */
  | { type: 'setServerFleet'; commandId: string; serverId: string; fleet: FleetChoice }
  /** How many connections the entry opens to its URL (1 to MAX_SOCKETS_PER_SERVER). */
  | { type: 'setServerSockets'; commandId: string; serverId: string; sockets: number }
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
  /** Delivers a synthetic event to one of the page's own subscriptions, through the page hook (see InjectedEvent). */
  | { type: 'injectPageEvent'; commandId: string; socketId: string; requestId: number; event: InjectedEvent }
  /** Drops the backlog's records up to `through` (all when absent): those the panel cleared. */
  | { type: 'clearBacklog'; through?: { epoch: string; seq: number } }
  /** The panel has shown backlog part `part` (and painted a frame since): the service worker sends the next. */
  | { type: 'backlogReceived'; part: number }
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
      /** Servers removed (in any tab): their names and URLs, for the records they left. */
      formerServers?: FormerServer[];
      pageSockets: PageSocketView[];
      /** Records the panel has not seen yet (all retained ones for a new epoch). */
      backlog: TimelineRecord[];
      /** How many records the bounded backlog dropped before the first one sent. */
      backlogDropped: number;
      /** Set (to 0) when more of the backlog follows: answer `backlogReceived` for part 0 once this is shown. */
      backlogPart?: number;
    }
  | {
      type: 'batch';
      records: TimelineRecord[];
      servers?: ServerView[];
      formerServers?: FormerServer[];
      pageSockets?: PageSocketView[];
      /** Set on the parts of a backlog that follow the welcome: the next part comes once the panel says `backlogReceived`. */
      backlogPart?: number;
    }
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

/** An id the panel chooses (a subscription of its own, a fleet group). */
const PANEL_CHOSEN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isFleetChoice(value: unknown): value is FleetChoice {
  if (!isPlainObject(value)) return false;
  if (value.type === 'auto' || value.type === 'alone') return true;
  return value.type === 'group' && isString(value.groupId) && PANEL_CHOSEN_ID.test(value.groupId);
}

export function isSocketCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_SOCKETS_PER_SERVER;
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
      return true;
    case 'clearBacklog':
      return v.through === undefined || (isPlainObject(v.through) && isString(v.through.epoch) && isNumber(v.through.seq));
    case 'backlogReceived':
      return Number.isSafeInteger(v.part);
    case 'addServer':
      return isString(v.commandId) && isServerSpec(v.spec);
    case 'editServer':
      return isString(v.commandId) && isString(v.serverId) && isServerSpec(v.spec);
    case 'removeServer':
      return isString(v.commandId) && isString(v.serverId);
    case 'setServerEnabled':
      return isString(v.commandId) && isString(v.serverId) && typeof v.enabled === 'boolean';
    case 'subscribe':
      return (
        isString(v.commandId) &&
        isString(v.serverId) &&
        isQueryJSON(v.query) &&
        isOptionalString(v.sessionToken) &&
        (v.subscriptionId === undefined || (isString(v.subscriptionId) && PANEL_CHOSEN_ID.test(v.subscriptionId)))
      );
    case 'setServerFleet':
      return isString(v.commandId) && isString(v.serverId) && isFleetChoice(v.fleet);
    case 'setServerSockets':
      return isString(v.commandId) && isString(v.serverId) && isSocketCount(v.sockets);
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
    case 'injectPageEvent':
      return isString(v.commandId) && isString(v.socketId) && isNumber(v.requestId) && checkInjectedEvent(v.event).ok;
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
      return (
        isString(value.epoch) &&
        Array.isArray(value.servers) &&
        Array.isArray(value.backlog) &&
        (value.backlogPart === undefined || Number.isSafeInteger(value.backlogPart))
      );
    case 'batch':
      return Array.isArray(value.records) && (value.backlogPart === undefined || Number.isSafeInteger(value.backlogPart));
    case 'commandResult':
      return isString(value.commandId) && typeof value.ok === 'boolean';
    case 'keyring':
      return isKeyringView(value.keyring);
    default:
      return false;
  }
}

const SOCKET_ID = /^[A-Za-z0-9_-]{1,64}$/;
const isCount = (v: unknown): v is number => isNumber(v) && v >= 0;

export function isPageSocketEvent(value: unknown): value is PageSocketEvent {
  if (!isPlainObject(value) || !isString(value.socketId) || !SOCKET_ID.test(value.socketId) || !isNumber(value.time)) {
    return false;
  }
  switch (value.type) {
    case 'created':
      return isString(value.url) && value.url.length <= MAX_PAGE_URL_CHARS;
    case 'open':
    case 'error':
      return true;
    case 'close':
      return (
        isNumber(value.code) &&
        isString(value.reason) &&
        value.reason.length <= MAX_CLOSE_REASON_CHARS &&
        typeof value.wasClean === 'boolean'
      );
    case 'frame':
      return (
        (value.direction === 'sent' || value.direction === 'received') &&
        (value.text === undefined || (isString(value.text) && value.text.length <= MAX_PAGE_FRAME_CHARS)) &&
        (value.truncatedFrom === undefined || isCount(value.truncatedFrom)) &&
        (value.binarySize === undefined || isCount(value.binarySize)) &&
        (value.injected === undefined || (value.injected === true && value.direction === 'received')) &&
        (value.text !== undefined) !== (value.binarySize !== undefined)
      );
    default:
      return false;
  }
}

/** Whether `events` is a list of valid events within the per-message limits (count and characters). */
export function isPageEventBatch(events: unknown): events is PageSocketEvent[] {
  if (!Array.isArray(events) || events.length > MAX_EVENTS_PER_MESSAGE) return false;
  let chars = 0;
  for (const event of events) {
    if (!isPageSocketEvent(event)) return false;
    chars += pageEventChars(event);
    if (chars > MAX_PAGE_MESSAGE_CHARS) return false;
  }
  return true;
}

export function isHookMessage(value: unknown): value is HookMessage {
  return (
    isPlainObject(value) &&
    value.type === 'events' &&
    isCount(value.generation) &&
    (value.replay === undefined || value.replay === true) &&
    (value.notKept === undefined || isCount(value.notKept)) &&
    (value.seq === undefined || isCount(value.seq)) &&
    isPageEventBatch(value.events)
  );
}

/** The hook's hello: a syncEvent a page could not guess (and that no built-in event uses). */
export function isHookHello(value: unknown): value is Extract<HookToRelay, { type: 'hello' }> {
  return isPlainObject(value) && value.type === 'hello' && isString(value.syncEvent) && /^[a-z0-9]{16,64}$/.test(value.syncEvent);
}

export function isRelayToBackground(value: unknown): value is RelayToBackground {
  if (!isPlainObject(value)) return false;
  switch (value.type) {
    case 'document':
      return (
        isString(value.url) &&
        value.url.length <= MAX_PAGE_URL_CHARS &&
        isString(value.documentId) &&
        value.documentId.length <= 64 &&
        (value.startedAt === undefined || (typeof value.startedAt === 'number' && Number.isFinite(value.startedAt))) &&
        (value.again === undefined || value.again === true)
      );
    case 'socketEvents':
      return (
        (value.replay === undefined || typeof value.replay === 'boolean') &&
        (value.dropped === undefined || isCount(value.dropped)) &&
        (value.notKept === undefined || isCount(value.notKept)) &&
        isPageEventBatch(value.events)
      );
    default:
      return false;
  }
}

/* ---------- panel → its regex worker (a dedicated Worker), and back ---------- */

/** Measure a filter pattern's cost on these texts (see src/timeline/regex-cost.ts). */
export type PanelToRegexWorker = { type: 'measureRegex'; id: number; request: RegexCostRequest };
export type RegexWorkerToPanel = { type: 'regexCost'; id: number; cost: RegexCost };

const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

export function isPanelToRegexWorker(value: unknown): value is PanelToRegexWorker {
  if (!isPlainObject(value) || value.type !== 'measureRegex' || !isNumber(value.id)) return false;
  const request = value.request;
  return (
    isPlainObject(request) &&
    isString(request.source) &&
    isString(request.flags) &&
    isNumber(request.records) &&
    isTextList(request.longest) &&
    Array.isArray(request.sample) &&
    request.sample.every(isTextList)
  );
}

export function isRegexWorkerToPanel(value: unknown): value is RegexWorkerToPanel {
  if (!isPlainObject(value) || value.type !== 'regexCost' || !isNumber(value.id) || !isPlainObject(value.cost)) return false;
  const cost = value.cost;
  return cost.ok === false
    ? isString(cost.error)
    : cost.ok === true && isNumber(cost.sampleMs) && isNumber(cost.longestMs) && isNumber(cost.probeMs) && isString(cost.probe);
}

// The timeline's record model: one record per frame, connection state change, gap or restore, from any source.

import type { ClientState } from '../livequery/client.js';
import type { EventOp } from '../livequery/protocol.js';
import type { PageSocketState } from '../views.js';

export type RecordKind = 'connection' | 'sent' | 'received' | EventOp | 'error' | 'gap';
export const RECORD_KINDS: readonly RecordKind[] = [
  'connection',
  'sent',
  'received',
  'create',
  'update',
  'enter',
  'leave',
  'delete',
  'error',
  'gap',
];

/** Where a record comes from. */
export type RecordSource =
  /** The extension itself (a restore, a refused server, its bounded backlog). */
  | { type: 'extension' }
  /** A connection the extension owns, one per server the user added. */
  | { type: 'server'; serverId: string }
  /** The inspected page's document in one frame: its loads, and its relay (frame 0 is the top document). */
  | { type: 'document'; frameId: number }
  /** A WebSocket of the inspected page. */
  | { type: 'pageSocket'; socketId: string; frameId: number };

export type RecordSourceType = RecordSource['type'];

export type RecoveredChange = 'appeared' | 'changed' | 'left';

/** Why a live subscription's session token no longer holds: the server refused it (209), or its session expired. */
export type TokenInvalidState = 'revoked' | 'expired';
/** Which token a subscription uses: its own (on the subscribe frame) or, without one, its connection's. */
export type TokenSource = 'subscription' | 'connection';

/**
 * Why a subscription may have missed events: its socket dropped, the extension closed the connection (panel gone,
 * disconnect, new settings), or the service worker restarted (its sockets died with it; a page's kept running while
 * nothing recorded them).
 */
export type GapReason = 'connectionLost' | 'connectionClosed' | 'workerRestarted';

/** How a fan-out check made its event: a throwaway object created, an existing match saved again, or none (the next one). */
export type FanoutWrite = 'create' | 'update' | 'natural';
/**
 * A node's verdict in a fan-out check: `delivered`; `late` (behind the fastest node by more than the check's
 * threshold); `missing` (nothing within the wait window); `down` (not connected, or its subscription never confirmed).
 */
export type FanoutVerdict = 'delivered' | 'late' | 'missing' | 'down';

export interface FanoutNodeResult {
  /** The connection (the source of the node's records). */
  serverId: string;
  /** Its name in the fleet, as the Source column shows it. */
  node: string;
  verdict: FanoutVerdict;
  /** Arrival (browser clock) minus the write's start (browser clock), or minus the object's `updatedAt` (server clock) for a natural event. */
  latencyMs?: number;
  /** Arrival minus the fastest node's arrival of the same event (both browser clock). */
  behindFastestMs?: number;
  /** Why a `down` node is down: its connection state, or its subscription's error. */
  why?: string;
}

/**
 * What a record that is not a frame stands for, with its details. A record has a marker exactly when it is not a
 * frame; a frame's details are its `raw` text.
 */
export type Marker =
  /** A connection the extension owns changed state; `reason` is the close reason, or why the extension closed it. */
  | { type: 'connectionState'; state: ClientState; attempt: number; delayMs?: number; nextRetryAt?: number; code?: number; reason?: string }
  | { type: 'serverEdited'; serverURL: string }
  /** The subscription is sent again with another session token (`tokenLabel`: its keyring name). */
  | { type: 'tokenSwitched'; subscriptionId: string; anonymous: boolean; tokenLabel?: string }
  /** No `connected` reply within `timeoutMs` of the connect frame. */
  | { type: 'noAnswer'; timeoutMs: number }
  /** Events between `from` and `to` (epoch ms) may have been missed: LiveQuery never replays them. */
  | { type: 'gap'; from: number; to: number; reason?: GapReason }
  /** A socket failed: an extension's (with the client's message) or the page's (browsers give pages none). */
  | { type: 'socketError'; message?: string }
  /** The service worker restarted and brought back these servers and subscriptions. */
  | { type: 'restored'; servers: { id: string; serverURL: string }[]; subscriptions: number }
  | { type: 'invalidServer'; serverURL: string; error: string }
  /** The panel refused to send the composer's query (the draft's fields as typed). */
  | { type: 'invalidQuery'; error: string; className: string; where: string; keys: string; watch: string }
  /** `count` records (the one numbered `seq`, when one) or a view could not be sent to the panel: the port refused them. */
  | { type: 'notDelivered'; count: number; seq?: number }
  /** The extension's bounded backlog dropped `count` records before the panel connected. */
  | { type: 'backlogDropped'; count: number }
  /** The top frame loaded a document: page load number `generation`. */
  | { type: 'navigated'; url: string; generation: number }
  /** The page's relay lost `count` socket events while the extension was unreachable. */
  | { type: 'relayDropped'; count: number }
  /** `count` page socket events happened while no panel watched the tab and the page's bounded summary did not keep them. */
  | { type: 'pageNotKept'; count: number }
  | { type: 'pageSocketCreated'; url: string }
  | { type: 'pageSocketOpen'; url: string }
  | { type: 'pageSocketClosed'; code: number; reason: string; wasClean: boolean }
  /**
   * What a REST check of a subscription's query ("What did I miss?") found that its events had not said, for one
   * object: it `appeared` (created or entered), `changed` (these `fields`) or `left` (no longer matches or readable)
   * while the result set was stale since `staleSince`. Added by the panel; deletes cannot be known from REST.
   */
  | { type: 'recovered'; change: RecoveredChange; staleSince: number; fields?: string[] }
  /**
   * The panel's token check (`/users/me`) found that the token a live subscription uses was revoked or has expired:
   * the server keeps the subscription, but events the token could read stop (Parse's advice: unsubscribe and
   * subscribe again). Names the token by its keyring name and its user, never by its value. Added by the panel.
   */
  | {
      type: 'tokenInvalid';
      state: TokenInvalidState;
      applies: TokenSource;
      tokenLabel?: string;
      username?: string;
      userId?: string;
      /** ISO time the session expired (or expires), when the server said. */
      expiresAt?: string;
      /** What the server answered (masked), e.g. "Invalid session token (code 209)". */
      detail?: string;
    }
  /**
   * A fan-out check of the fleet `fleet`: the same query on every node, one event (`write`), and each node's verdict
   * within `waitMs`. Added by the panel; `error` when the check could not run to the end (its cleanup still ran).
   */
  | {
      type: 'fanoutCheck';
      fleet: string;
      className: string;
      write: FanoutWrite;
      objectId?: string;
      waitMs: number;
      lateMs: number;
      nodes: FanoutNodeResult[];
      error?: string;
    }
  /** A page socket's state was rebuilt from its relay after the extension restarted. */
  | { type: 'resumed'; url: string; state: PageSocketState; subscriptions: number; applicationId?: string; clientId?: string };

export type MarkerType = Marker['type'];
export type MarkerOf<T extends MarkerType> = Extract<Marker, { type: T }>;

export interface TimelineRecord {
  /** Monotonic within one background instance (`epoch`). */
  seq: number;
  epoch: string;
  /** Epoch milliseconds, fractional. */
  time: number;
  source: RecordSource;
  kind: RecordKind;
  /** Display text: an op (`subscribe`, `create`), a state (`connected`), or what a marker stands for. Never branched on. */
  label: string;
  /** Set on every record that is not a frame. */
  marker?: Marker;
  /** The subscription concerned, as `subscriptionKey()` names it. */
  subscriptionKey?: string;
  requestId?: number;
  className?: string;
  objectId?: string;
  /** One line for the list. */
  summary: string;
  /** The frame's text (frames only), cut to MAX_RECORD_RAW_CHARS. */
  raw?: string;
  /** Set when `raw` was cut (here or before the frame left the page): the frame's full length in characters. */
  rawLength?: number;
  /** A received frame the panel injected into the page (no server sent it). */
  injected?: true;
}

/** A record before the recorder numbers it. */
export type RecordDraft = Omit<TimelineRecord, 'seq' | 'epoch'>;

/** For the `default` of a switch that handles every variant: a new variant fails the build there. */
export function unreachable(value: never): never {
  throw new Error(`unexpected variant ${JSON.stringify(value)}`);
}

// The relay's logic: forwards the page hook's validated messages to the background over a port, only while a panel watches.

import {
  isBackgroundToRelay,
  isHookMessage,
  MAX_EVENTS_PER_MESSAGE,
  type HookControl,
  type PageSocketEvent,
  type RelayToBackground,
} from '../messages.js';

/** The part of a runtime port the relay uses. */
export interface RelayPort {
  postMessage(message: RelayToBackground): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
  disconnect(): void;
}

export interface RelayDeps {
  /** Opens a port to the background; may throw (e.g. when the extension was reloaded). */
  connect(): RelayPort;
  /** False once the extension context is gone for good: the relay then stops. */
  contextValid(): boolean;
  documentUrl(): string;
  /** A random id: one per document, and a new one when the document comes back from the back/forward cache. */
  newDocumentId(): string;
  /**
   * Tells the page hook to start (`watch:<n>`) or stop (`unwatch:<n>`) posting, where n is the sequence number of the
   * last event that reached a port. On watch the hook hands over synchronously, through `onWindowMessage(…, urgent)`,
   * before this returns.
   */
  controlHook(control: HookControl): void;
  setTimeout(handler: () => void, ms: number): unknown;
  now(): number;
  /** Called once when the relay stops for good, to remove its listeners. */
  onStop?(): void;
}

export interface RelayLimits {
  /** Events held while the background is unreachable (the oldest are dropped and counted). */
  maxQueued: number;
  flushDelayMs: number;
  /** Retry delays grow from the first to the last while connecting keeps failing. */
  retryDelaysMs: readonly number[];
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxQueued: 10_000,
  flushDelayMs: 16,
  retryDelaysMs: [500, 1000, 2000, 5000, 10_000, 30_000],
};

/** A port that lived this long was a working connection: failures after it start the back-off afresh. */
const HEALTHY_PORT_MS = 5000;

export interface Relay {
  /**
   * A `message` event seen on the window: queued only while watched, when it comes from this window and is a valid
   * hook message. `urgent` (the document is unloading) sends at once instead of after the batching delay.
   */
  onWindowMessage(fromThisWindow: boolean, data: unknown, urgent?: boolean): void;
  /** A message from the background through tabs.sendMessage (a panel started or stopped watching the tab). */
  onBackgroundMessage(message: unknown): void;
  /** The document is unloading: send what is queued now, timers will not run again. */
  flushNow(): void;
  /**
   * Announces the document (a panel may watch this tab): the background answers on the port whether it watches.
   * `pageLoad`: the document is shown again (back/forward cache), a new page load for the timeline.
   */
  announce(pageLoad?: boolean): void;
  readonly watched: boolean;
  readonly stopped: boolean;
}

interface Chunk {
  events: PageSocketEvent[];
  replay?: boolean;
  notKept?: number;
  /** The hook's sequence number of the last event (not for replays). */
  seq?: number;
}

/**
 * Every port starts with the document's announce and hands nothing over until the background answers on that port:
 * a worker that (re)started before the tab's panel reattached says "not watched", and nothing is sent that it would
 * drop. What reached a port is tracked by the hook's sequence numbers (`delivered`): each hand-over and each stop
 * tells the hook where to resume, so a dropped port or a stop loses and repeats nothing.
 */
export function createRelay(deps: RelayDeps, limits: RelayLimits = DEFAULT_RELAY_LIMITS): Relay {
  let documentId = deps.newDocumentId();
  let queue: Chunk[] = [];
  let queued = 0;
  let dropped = 0;
  let port: RelayPort | undefined;
  let connectedAt = 0;
  /** The background said so (tabs.sendMessage, or its answer on a port). */
  let watched = false;
  /** The current port carried the announce and the background answered "watched" on it: events may flow. */
  let portReady = false;
  let documentDue = false;
  /** The last document id a background answered "watched" to. */
  let lastAnnounced: string | undefined;
  /** The hook's sequence number of the last event posted to a port. */
  let delivered = 0;
  /** Whether the hook was told to watch (and not told to stop since). */
  let hookWatching = false;
  /** Set while the hook hands over its summary: its messages are queued, the flush follows. */
  let collecting = false;
  let flushScheduled = false;
  let retryScheduled = false;
  let attempt = 0;
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    queue = [];
    queued = 0;
    port = undefined;
    deps.onStop?.();
  };

  const clearQueue = (): void => {
    queue = [];
    queued = 0;
  };

  const enqueue = (chunk: Chunk): void => {
    queue.push({ ...chunk, events: chunk.events.slice() });
    queued += chunk.events.length;
    while (queued > limits.maxQueued) {
      const oldest = queue.find((c) => c.events.length)!;
      const excess = Math.min(queued - limits.maxQueued, oldest.events.length);
      oldest.events = oldest.events.slice(excess);
      queued -= excess;
      dropped += excess;
      queue = queue.filter((c) => c.events.length || c.notKept);
    }
  };

  const open = (): RelayPort | undefined => {
    if (port) return port;
    let next: RelayPort;
    try {
      next = deps.connect();
    } catch {
      if (!deps.contextValid()) stop();
      return undefined;
    }
    port = next;
    portReady = false;
    documentDue = true;
    connectedAt = deps.now();
    next.onMessage.addListener((message) => {
      if (port === next) onPortAnswer(message);
    });
    next.onDisconnect.addListener(() => {
      if (port !== next) return;
      port = undefined;
      portReady = false;
      if (deps.now() - connectedAt >= HEALTHY_PORT_MS) attempt = 0;
      if (!deps.contextValid()) return stop();
      // Lazily: re-opened when there is something to send, so that an idle page lets the worker sleep.
      if (watched && queue.length) scheduleRetry();
    });
    return next;
  };

  /** The hook hands over, synchronously, what the worker has not got: the state it had as a replay, then the rest. */
  const handOver = (): void => {
    // Whatever waits here (or overflowed) was never posted: the hook sends it again, in order, from what was
    // delivered, and counts what it no longer has as not kept.
    clearQueue();
    dropped = 0;
    collecting = true;
    try {
      deps.controlHook(`watch:${delivered}`);
      hookWatching = true;
    } finally {
      collecting = false;
    }
  };

  const flush = (): void => {
    if (stopped) return;
    if (!documentDue && !(watched && queue.length)) return;
    // Opening a port also wakes the background: only done when there is something to send.
    const target = open();
    if (!target) return scheduleRetry();
    try {
      if (documentDue) {
        const message: RelayToBackground = { type: 'document', url: deps.documentUrl(), documentId };
        if (lastAnnounced === documentId) message.again = true;
        target.postMessage(message);
        documentDue = false;
      }
      if (!portReady) return;
      while (queue.length) {
        const chunk = queue[0]!;
        const events = chunk.events.slice(0, MAX_EVENTS_PER_MESSAGE);
        const message: RelayToBackground = { type: 'socketEvents', events };
        if (chunk.replay) message.replay = true;
        if (dropped) message.dropped = dropped;
        if (chunk.notKept) message.notKept = chunk.notKept;
        target.postMessage(message);
        dropped = 0;
        chunk.notKept = undefined;
        chunk.events = chunk.events.slice(events.length);
        queued -= events.length;
        if (!chunk.events.length) {
          queue.shift();
          if (chunk.seq !== undefined && chunk.seq > delivered) delivered = chunk.seq;
        }
      }
    } catch {
      if (port === target) {
        port = undefined;
        portReady = false;
      }
      scheduleRetry();
    }
  };

  function scheduleRetry(): void {
    if (retryScheduled || stopped) return;
    retryScheduled = true;
    const delays = limits.retryDelaysMs;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    attempt++;
    deps.setTimeout(() => {
      retryScheduled = false;
      flush();
    }, delay);
  }

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    deps.setTimeout(() => {
      flushScheduled = false;
      flush();
    }, limits.flushDelayMs);
  };

  /** Nobody watches: the hook stops posting and resumes, next time, after what was delivered. */
  const unwatch = (): void => {
    watched = false;
    portReady = false;
    clearQueue();
    dropped = 0;
    if (hookWatching) deps.controlHook(`unwatch:${delivered}`);
    hookWatching = false;
    const closing = port;
    port = undefined;
    try {
      closing?.disconnect();
    } catch {
      // Already gone.
    }
  };

  /** The background's answer to this port's announce. */
  function onPortAnswer(message: unknown): void {
    if (stopped || !isBackgroundToRelay(message)) return;
    if (!message.on) return unwatch();
    if (portReady) return;
    watched = true;
    portReady = true;
    lastAnnounced = documentId;
    handOver();
    flush();
  }

  function onBackgroundMessage(message: unknown): void {
    if (stopped || !isBackgroundToRelay(message)) return;
    if (!message.on) return unwatch();
    watched = true;
    // A port that is ready already hands everything over; else announce and hand over on the answer.
    if (!portReady) {
      documentDue = true;
      flush();
    }
  }

  return {
    onWindowMessage(fromThisWindow, data, urgent = false) {
      if (stopped || !watched || !fromThisWindow || !isHookMessage(data)) return;
      enqueue({ events: data.events, replay: data.replay, notKept: data.notKept, seq: data.seq });
      if (collecting) return;
      if (urgent) flush();
      else scheduleFlush();
    },
    onBackgroundMessage,
    flushNow() {
      flush();
    },
    announce(pageLoad = false) {
      if (pageLoad) documentId = deps.newDocumentId();
      documentDue = true;
      flush();
    },
    get watched() {
      return watched;
    },
    get stopped() {
      return stopped;
    },
  };
}

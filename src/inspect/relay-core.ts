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
   * Tells the page hook to start ('watch') or stop posting. On 'watch' the hook hands over its summary synchronously,
   * through `onWindowMessage(…, urgent)`, before this returns.
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
  /** A message from the background (over the port or tabs.sendMessage). */
  onBackgroundMessage(message: unknown): void;
  /** The document is unloading: send what is queued now, timers will not run again. */
  flushNow(): void;
  /**
   * Announces the document (a panel may watch this tab): the background answers whether it watches. `pageLoad`: the
   * document is shown again (back/forward cache), a new page load for the timeline.
   */
  announce(pageLoad?: boolean): void;
  readonly watched: boolean;
  readonly stopped: boolean;
}

interface Chunk {
  events: PageSocketEvent[];
  replay?: boolean;
  notKept?: number;
}

export function createRelay(deps: RelayDeps, limits: RelayLimits = DEFAULT_RELAY_LIMITS): Relay {
  let documentId = deps.newDocumentId();
  let queue: Chunk[] = [];
  let queued = 0;
  let dropped = 0;
  let port: RelayPort | undefined;
  let connectedAt = 0;
  /** Whether some port was opened before: a new one talks to a background that may have restarted and lost state. */
  let everConnected = false;
  let watched = false;
  let documentDue = false;
  /** Whether the current port carried this document's announce. */
  let announced = false;
  let backfillDue = false;
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

  const enqueue = (chunk: Chunk): void => {
    const last = queue.at(-1);
    // Consecutive events of the same kind travel together, up to MAX_EVENTS_PER_MESSAGE per message.
    if (last && last.replay === chunk.replay && !chunk.notKept) last.events = last.events.concat(chunk.events);
    else queue.push({ ...chunk, events: chunk.events.slice() });
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
    announced = false;
    connectedAt = deps.now();
    next.onMessage.addListener((message) => {
      if (port === next) onBackgroundMessage(message);
    });
    next.onDisconnect.addListener(() => {
      if (port !== next) return;
      port = undefined;
      if (deps.now() - connectedAt >= HEALTHY_PORT_MS) attempt = 0;
      if (!deps.contextValid()) return stop();
      // Lazily: re-opened when there is something to send, so that an idle page lets the worker sleep.
      if (watched && queue.length) scheduleRetry();
    });
    if (everConnected && watched) {
      documentDue = true;
      backfillDue = true;
    }
    everConnected = true;
    return next;
  };

  /** Asks the hook for its summary: the replay of what an earlier background was sent, then what nobody was sent. */
  const collectBackfill = (): void => {
    backfillDue = false;
    const pending = queue;
    queue = [];
    queued = 0;
    collecting = true;
    try {
      deps.controlHook('watch');
    } finally {
      collecting = false;
    }
    for (const chunk of pending) enqueue(chunk);
  };

  const flush = (): void => {
    if (stopped) return;
    if (!documentDue && !(watched && (queue.length || backfillDue))) return;
    // Opening a port also wakes the background: only done when there is something to send.
    const target = open();
    if (!target) return scheduleRetry();
    try {
      if (documentDue) {
        target.postMessage({ type: 'document', url: deps.documentUrl(), documentId });
        documentDue = false;
        announced = true;
      }
      if (!watched) return;
      if (backfillDue) collectBackfill();
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
        if (!chunk.events.length) queue.shift();
      }
    } catch {
      if (port === target) port = undefined;
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

  function onBackgroundMessage(message: unknown): void {
    if (stopped || !isBackgroundToRelay(message)) return;
    if (message.on) {
      // Also when already watched: the background may have restarted and lost the page's sockets; a replay of known
      // sockets and a second announce of this document change nothing there.
      watched = true;
      if (!announced) documentDue = true;
      backfillDue = true;
      flush();
      return;
    }
    const wasWatched = watched;
    watched = false;
    queue = [];
    queued = 0;
    dropped = 0;
    if (wasWatched) deps.controlHook('unwatch');
    // Nothing more to send: let the worker sleep.
    const open = port;
    port = undefined;
    try {
      open?.disconnect();
    } catch {
      // Already gone.
    }
  }

  return {
    onWindowMessage(fromThisWindow, data, urgent = false) {
      if (stopped || !watched || !fromThisWindow || !isHookMessage(data)) return;
      enqueue({ events: data.events, replay: data.replay, notKept: data.notKept });
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
      announced = false;
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

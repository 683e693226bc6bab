// The relay's logic: forwards the page hook's validated messages to the background over a port, only while a panel watches.

import {
  isBackgroundToRelay,
  isHookInjected,
  isHookMessage,
  type InjectOutcome,
  type InjectRequest,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PAGE_MESSAGE_CHARS,
  type PageSocketEvent,
  type RelayToBackground,
  type RelayToHook,
} from '../messages.js';
import { batchChars } from './batches.js';

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
  /** The page's clock (Date.now), which also stamps the hook's socket events. */
  now(): number;
  /**
   * Tells the page hook, over its private port, to start or stop posting. On `watch` it hands over (through
   * `onHookMessage`, usually a task later) what came after `delivered`, the last event that reached a port.
   */
  controlHook(control: RelayToHook): void;
  setTimeout(handler: () => void, ms: number): unknown;
  /** Called once when the relay stops for good, to remove its listeners. */
  onStop?(): void;
}

/** How long the relay waits for the hook to answer an injection before it says the page has no hook. */
export const INJECT_ANSWER_MS = 2_000;

export interface RelayLimits {
  /** Events held until the next flush (the oldest messages are dropped and counted). */
  maxQueued: number;
  /** Characters held until the next flush (see pageEventChars), the same way. */
  maxQueuedChars: number;
  flushDelayMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxQueued: 10_000,
  maxQueuedChars: 4 * MAX_PAGE_MESSAGE_CHARS,
  flushDelayMs: 16,
};

export interface Relay {
  /**
   * A message from the page hook's private channel: queued only while the hook was asked to watch and when it
   * answers that watch (its generation) and is valid. `urgent` (the document is unloading) sends at once instead of
   * after the batching delay.
   */
  onHookMessage(data: unknown, urgent?: boolean): void;
  /** A message from the background through tabs.sendMessage (a panel started or stopped watching the tab). */
  onBackgroundMessage(message: unknown): void;
  /**
   * The panel injects a frame into one of this document's sockets (the background asked, never the page): passed to
   * the hook over its private port; resolves with what the hook did, or `noHook` when it does not answer.
   */
  inject(request: InjectRequest): Promise<InjectOutcome>;
  /** The document is unloading: send what is queued now, timers will not run again. */
  flushNow(): void;
  /**
   * Announces the document (a panel may watch this tab): the background answers on the port whether it watches.
   * `pageLoad`: the document is shown again (back/forward cache), a new page load for the timeline.
   */
  announce(pageLoad?: boolean): void;
  readonly watched: boolean;
  readonly stopped: boolean;
  /** What waits in the relay's queue (for tests: it is bounded). */
  readonly queued: { events: number; chars: number };
}

interface Chunk {
  events: PageSocketEvent[];
  chars: number;
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
 *
 * When a port fails (it disconnects, cannot be opened, or a postMessage throws) the relay gives up on it: it closes
 * it, tells the hook to stop, keeps nothing and sets no timer. It resumes only when the worker asks again (its next
 * `watch`) or the document is announced again. A failed postMessage's events are not sent again: they are counted
 * as dropped on the next message that reaches a worker.
 */
export function createRelay(deps: RelayDeps, limits: RelayLimits = DEFAULT_RELAY_LIMITS): Relay {
  let documentId = deps.newDocumentId();
  // Taken at document_start (or when the document comes back from the cache): before any socket of the page exists.
  let documentStartedAt = deps.now();
  let queue: Chunk[] = [];
  let queuedEvents = 0;
  let queuedChars = 0;
  /** Events the queue dropped since the last message: the hook sends them again on a hand-over. */
  let overflowed = 0;
  /** Events of failed posts since the last message: gone for good, reported on the next message. */
  let lost = 0;
  let port: RelayPort | undefined;
  /** The background said so (tabs.sendMessage, or its answer on a port). */
  let watched = false;
  /** The current port carried the announce and the background answered "watched" on it: events may flow. */
  let portReady = false;
  let documentDue = false;
  /** The last document id a background answered "watched" to. */
  let lastAnnounced: string | undefined;
  /** The hook's sequence number of the last event posted to a port (or lost in a failed post). */
  let delivered = 0;
  /** Whether the hook was told to watch (and not told to stop since). */
  let hookWatching = false;
  /** Stamps each watch: what the hook posted for an earlier one (still in flight on its port) is ignored. */
  let generation = 0;
  let flushScheduled = false;
  let stopped = false;
  let injectionCount = 0;
  /** Injections the hook has not answered yet. */
  const injections = new Map<number, (outcome: InjectOutcome) => void>();

  const clearQueue = (): void => {
    queue = [];
    queuedEvents = 0;
    queuedChars = 0;
  };

  const stopHook = (): void => {
    if (hookWatching) deps.controlHook({ type: 'unwatch', generation, delivered });
    hookWatching = false;
  };

  const closePort = (): void => {
    const closing = port;
    port = undefined;
    portReady = false;
    try {
      closing?.disconnect();
    } catch {
      // Already gone.
    }
  };

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearQueue();
    stopHook();
    closePort();
    deps.onStop?.();
  };

  /**
   * Nobody watches (the background said so) or the port failed: the hook stops and resumes, next time, after what
   * was delivered; nothing is kept and nothing is retried.
   */
  const standDown = (): void => {
    watched = false;
    documentDue = false;
    clearQueue();
    stopHook();
    closePort();
    if (!deps.contextValid()) stop();
  };

  const enqueue = (chunk: Chunk): void => {
    queue.push(chunk);
    queuedEvents += chunk.events.length;
    queuedChars += chunk.chars;
    // Whole messages, oldest first; the newest always stays (one message is within both limits).
    while ((queuedEvents > limits.maxQueued || queuedChars > limits.maxQueuedChars) && queue.length > 1) {
      const oldest = queue.shift()!;
      queuedEvents -= oldest.events.length;
      queuedChars -= oldest.chars;
      overflowed += oldest.events.length + (oldest.notKept ?? 0);
    }
  };

  const open = (): RelayPort | undefined => {
    if (port) return port;
    let next: RelayPort;
    try {
      next = deps.connect();
    } catch {
      standDown();
      return undefined;
    }
    port = next;
    portReady = false;
    documentDue = true;
    next.onMessage.addListener((message) => {
      if (port === next) onPortAnswer(message);
    });
    next.onDisconnect.addListener(() => {
      if (port === next) standDown();
    });
    return next;
  };

  const post = (target: RelayPort, message: RelayToBackground): boolean => {
    try {
      target.postMessage(message);
      return true;
    } catch {
      return false;
    }
  };

  /** The hook hands over what the worker has not got: the state it had as a replay, then the rest. */
  const handOver = (): void => {
    // Whatever waits here (or overflowed) was never posted: the hook sends it again, in order, from what was
    // delivered, and counts what it no longer has as not kept.
    clearQueue();
    overflowed = 0;
    generation++;
    hookWatching = true;
    deps.controlHook({ type: 'watch', generation, delivered });
  };

  const flush = (): void => {
    if (stopped) return;
    if (!documentDue && !(portReady && queue.length)) return;
    // Opening a port also wakes the background: only done when there is something to send.
    const target = open();
    if (!target) return;
    if (documentDue) {
      const message: RelayToBackground = { type: 'document', url: deps.documentUrl(), documentId, startedAt: documentStartedAt };
      if (lastAnnounced === documentId) message.again = true;
      if (!post(target, message)) return standDown();
      documentDue = false;
    }
    if (!portReady) return;
    while (queue.length) {
      // Each chunk is one validated hook message: within the per-message limits as it is.
      const chunk = queue.shift()!;
      queuedEvents -= chunk.events.length;
      queuedChars -= chunk.chars;
      const message: RelayToBackground = { type: 'socketEvents', events: chunk.events };
      if (chunk.replay) message.replay = true;
      if (overflowed + lost) message.dropped = overflowed + lost;
      if (chunk.notKept) message.notKept = chunk.notKept;
      if (chunk.seq !== undefined && chunk.seq > delivered) delivered = chunk.seq;
      if (!post(target, message)) {
        lost += chunk.events.length + (chunk.notKept ?? 0);
        return standDown();
      }
      overflowed = 0;
      lost = 0;
    }
  };

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    deps.setTimeout(() => {
      flushScheduled = false;
      flush();
    }, limits.flushDelayMs);
  };

  /** The background's answer to this port's announce. */
  function onPortAnswer(message: unknown): void {
    if (stopped || !isBackgroundToRelay(message)) return;
    if (!message.on) return standDown();
    if (portReady) return;
    watched = true;
    portReady = true;
    lastAnnounced = documentId;
    handOver();
    flush();
  }

  function onBackgroundMessage(message: unknown): void {
    if (stopped || !isBackgroundToRelay(message)) return;
    if (!message.on) return standDown();
    watched = true;
    // A port that is ready already hands everything over; else announce and hand over on the answer.
    if (!portReady) {
      documentDue = true;
      flush();
    }
  }

  return {
    onHookMessage(data, urgent = false) {
      if (isHookInjected(data)) {
        injections.get(data.injectionId)?.(data.outcome);
        return;
      }
      if (stopped || !hookWatching || !isHookMessage(data) || data.generation !== generation) return;
      enqueue({ events: data.events, chars: batchChars(data.events), replay: data.replay, notKept: data.notKept, seq: data.seq });
      if (urgent || queuedEvents >= MAX_EVENTS_PER_MESSAGE || queuedChars >= MAX_PAGE_MESSAGE_CHARS) flush();
      else scheduleFlush();
    },
    onBackgroundMessage,
    inject(request) {
      if (stopped) return Promise.resolve<InjectOutcome>('noHook');
      const injectionId = ++injectionCount;
      return new Promise<InjectOutcome>((resolve) => {
        const settle = (outcome: InjectOutcome) => {
          if (!injections.delete(injectionId)) return;
          resolve(outcome);
        };
        injections.set(injectionId, settle);
        deps.setTimeout(() => settle('noHook'), INJECT_ANSWER_MS);
        deps.controlHook({ type: 'inject', injectionId, socketId: request.socketId, text: request.text });
      });
    },
    flushNow() {
      flush();
    },
    announce(pageLoad = false) {
      if (stopped) return;
      if (pageLoad) {
        documentId = deps.newDocumentId();
        documentStartedAt = deps.now();
      }
      documentDue = true;
      flush();
    },
    get watched() {
      return watched;
    },
    get stopped() {
      return stopped;
    },
    get queued() {
      return { events: queuedEvents, chars: queuedChars };
    },
  };
}

// The relay's logic: validates page messages and forwards them to the background over a port it re-opens when needed.

import { isHookMessage, MAX_EVENTS_PER_MESSAGE, type PageSocketEvent, type RelayToBackground } from '../messages.js';
import { ReplayLog } from './replay-log.js';

/** The part of a runtime port the relay uses. */
export interface RelayPort {
  postMessage(message: RelayToBackground): void;
  onDisconnect: { addListener(listener: () => void): void };
}

export interface RelayDeps {
  /** Opens a port to the background; may throw (e.g. when the extension was reloaded). */
  connect(): RelayPort;
  /** False once the extension context is gone for good: the relay then stops. */
  contextValid(): boolean;
  documentUrl(): string;
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
   * A `message` event seen on the window: forwarded only when it comes from this window and is a valid hook message.
   * `urgent` (the document is unloading) sends at once instead of after the batching delay.
   */
  onWindowMessage(fromThisWindow: boolean, data: unknown, urgent?: boolean): void;
  /** The document is unloading: send what is queued now, timers will not run again. */
  flushNow(): void;
  /** Announces the document now (the top frame does so at start, so that the background sees each page load). */
  announce(): void;
  /** The background asked (a panel opened on a background that lost its state): send the live sockets' state again. */
  resync(): void;
  readonly stopped: boolean;
}

export function createRelay(deps: RelayDeps, limits: RelayLimits = DEFAULT_RELAY_LIMITS): Relay {
  const log = new ReplayLog();
  let queue: PageSocketEvent[] = [];
  let dropped = 0;
  let port: RelayPort | undefined;
  let connectedAt = 0;
  /** Whether some port was opened before: a new one then starts with a replay instead of the document. */
  let everConnected = false;
  let documentDue = true;
  let replayDue = false;
  let flushScheduled = false;
  let retryScheduled = false;
  let attempt = 0;
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    queue = [];
    port = undefined;
    deps.onStop?.();
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
    connectedAt = deps.now();
    next.onDisconnect.addListener(() => {
      if (port !== next) return;
      port = undefined;
      if (deps.now() - connectedAt >= HEALTHY_PORT_MS) attempt = 0;
      if (!deps.contextValid()) return stop();
      // Lazily: re-opened when there is something to send, so that an idle page lets the worker sleep.
      if (queue.length || documentDue) scheduleRetry();
    });
    // A port opened after another one talks to a background that may have restarted and lost what it was sent.
    replayDue = everConnected;
    everConnected = true;
    return next;
  };

  const flush = (): void => {
    if (stopped) return;
    if (!queue.length && !documentDue && !replayDue) return;
    // Opening a port also wakes the background: only done when there is something to send.
    const target = open();
    if (!target) return scheduleRetry();
    try {
      if (documentDue) {
        target.postMessage({ type: 'document', url: deps.documentUrl() });
        documentDue = false;
      }
      if (replayDue) {
        const replay = log.snapshot();
        for (let i = 0; i < replay.length; i += MAX_EVENTS_PER_MESSAGE) {
          target.postMessage({ type: 'socketEvents', events: replay.slice(i, i + MAX_EVENTS_PER_MESSAGE), replay: true });
        }
        replayDue = false;
      }
      while (queue.length) {
        const events = queue.slice(0, MAX_EVENTS_PER_MESSAGE);
        const message: RelayToBackground = dropped
          ? { type: 'socketEvents', events, dropped }
          : { type: 'socketEvents', events };
        target.postMessage(message);
        queue = queue.slice(events.length);
        dropped = 0;
        // Remembered once handed to a port: a replay re-announces only what an earlier background was sent.
        for (const event of events) log.observe(event);
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

  return {
    onWindowMessage(fromThisWindow, data, urgent = false) {
      if (stopped || !fromThisWindow || !isHookMessage(data)) return;
      queue.push(...data.events);
      if (queue.length > limits.maxQueued) {
        const excess = queue.length - limits.maxQueued;
        queue = queue.slice(excess);
        dropped += excess;
      }
      if (urgent) flush();
      else scheduleFlush();
    },
    flushNow() {
      flush();
    },
    announce() {
      documentDue = true;
      flush();
    },
    resync() {
      if (stopped || log.size === 0) return;
      replayDue = true;
      flush();
    },
    get stopped() {
      return stopped;
    },
  };
}

// Installs the WebSocket hook on a page window: keeps a bounded summary, and posts events to the relay only while watched.

import {
  HOOK_CONTROL_EVENT,
  HOOK_TAG,
  HOOK_URGENT_EVENT,
  MAX_EVENTS_PER_MESSAGE,
  parseHookControl,
  type HookMessage,
  type PageSocketEvent,
} from '../messages.js';
import { PageSummary, seqOf, textLength, type SummaryLimits } from './page-summary.js';
import { installSocketHook } from './socket-hook.js';

// Captured when the hook loads, before any page script can replace it.
const reflectApply = Reflect.apply;

/** Waiting this long gathers a burst of frames into one message. */
export const FLUSH_DELAY_MS = 16;
/** Frame text per message at most (one frame is at most MAX_FRAME_CHARS): far below what the relay accepts. */
export const MAX_MESSAGE_TEXT = 1_000_000;

export interface PageWindow {
  WebSocket?: typeof WebSocket;
  origin?: string;
  postMessage(message: HookMessage, targetOrigin: string): void;
  setTimeout(handler: () => void, timeout: number): unknown;
  addEventListener?(type: string, listener: (event: Event) => void, capture?: boolean): void;
  dispatchEvent?(event: Event): boolean;
  CustomEvent?: typeof CustomEvent;
  crypto?: Pick<Crypto, 'getRandomValues'>;
  performance?: Pick<Performance, 'now' | 'timeOrigin'>;
}

/** A random id for this document, so socket ids from different frames and loads never collide. */
function documentId(win: PageWindow): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(12);
  try {
    if (!win.crypto) throw new Error('no crypto');
    win.crypto.getRandomValues(bytes);
  } catch {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

function clock(win: PageWindow): () => number {
  const performance = win.performance;
  const now = performance?.now;
  const origin = performance?.timeOrigin;
  if (performance && typeof now === 'function' && typeof origin === 'number') {
    // Bound now, before any page script: no argument array per call on the per-frame path.
    const boundNow = (now as () => number).bind(performance);
    return () => origin + boundNow();
  }
  return Date.now;
}

/** Driven by the relay through HOOK_CONTROL_EVENT; exposed for tests. */
export interface PageHook {
  /**
   * A panel watches this tab: hand over what the summary holds after event `delivered` (the last one that reached
   * the service worker), then post every event as it happens.
   */
  watch(delivered?: number): void;
  /** Nobody watches: post nothing, keep the summary; the next watcher resumes after `delivered`. */
  unwatch(delivered?: number): void;
  readonly watching: boolean;
}

/** Installs the hook; returns undefined when the window has no WebSocket or it could not be replaced. */
export function installPageHook(win: PageWindow, summaryLimits?: SummaryLimits): PageHook | undefined {
  // Captured now: the page may replace any of these later.
  const postMessage = win.postMessage;
  const setTimer = win.setTimeout;
  const dispatchEvent = win.dispatchEvent;
  const CustomEventCtor = win.CustomEvent;
  const stringify = JSON.stringify;
  const targetOrigin = typeof win.origin === 'string' && /^https?:\/\//.test(win.origin) ? win.origin : '*';
  const now = clock(win);
  const prefix = documentId(win);
  let count = 0;
  let queue: PageSocketEvent[] = [];
  /** The last event handed to the relay. */
  let handedThrough = 0;
  let scheduled = false;
  let hiding = false;
  let watching = false;
  const summary = new PageSummary(summaryLimits);

  /**
   * Messages of at most MAX_EVENTS_PER_MESSAGE events and MAX_MESSAGE_TEXT characters of frames (the relay refuses a
   * larger synchronous hand-over); each but a replay says the sequence number of its last event.
   */
  const messages = (events: PageSocketEvent[], extra: Omit<HookMessage, 'tag' | 'events'> = {}): HookMessage[] => {
    const out: HookMessage[] = [];
    const close = (part: PageSocketEvent[]) => {
      const message: HookMessage = { tag: HOOK_TAG, events: part, ...(out.length === 0 ? extra : {}) };
      const last = part.at(-1);
      if (!extra.replay && last) message.seq = seqOf(last);
      out.push(message);
    };
    let part: PageSocketEvent[] = [];
    let chars = 0;
    for (const event of events) {
      const length = textLength(event);
      if (part.length && (part.length === MAX_EVENTS_PER_MESSAGE || chars + length > MAX_MESSAGE_TEXT)) {
        close(part);
        part = [];
        chars = 0;
      }
      part.push(event);
      chars += length;
    }
    if (part.length || (out.length === 0 && extra.notKept)) close(part);
    return out;
  };

  const post = (message: HookMessage): void => {
    try {
      reflectApply(postMessage, win, [message, targetOrigin]);
    } catch {
      // Nothing to do: the page must not notice.
    }
  };

  /** Synchronous hand-over to the relay (while the document unloads, or in answer to a control event). */
  const dispatch = (message: HookMessage): void => {
    if (!dispatchEvent || !CustomEventCtor) return;
    try {
      reflectApply(dispatchEvent, win, [new CustomEventCtor(HOOK_URGENT_EVENT, { detail: stringify(message) })]);
    } catch {
      // Nothing to do: the page must not notice.
    }
  };

  const takeQueue = (): PageSocketEvent[] => {
    const events = queue;
    queue = [];
    handedThrough = summary.postedThrough;
    return events;
  };

  const flush = (): void => {
    if (!watching) return;
    for (const message of messages(takeQueue())) post(message);
  };

  /** While the document unloads: hands what is queued to the relay synchronously (no timer or task runs anymore). */
  const flushNow = (): void => {
    if (!watching || !queue.length) return;
    for (const message of messages(takeQueue())) dispatch(message);
  };

  const watch = (delivered = handedThrough): void => {
    watching = true;
    // What is queued, or was handed over but did not reach the worker, is part of the backfill.
    queue = [];
    summary.rewindPosted(Math.min(delivered, handedThrough));
    const { replay, fresh, notKept } = summary.backfill();
    handedThrough = summary.postedThrough;
    for (const message of messages(replay, { replay: true })) dispatch(message);
    for (const message of messages(fresh, notKept ? { notKept } : {})) dispatch(message);
  };

  const unwatch = (delivered = handedThrough): void => {
    watching = false;
    queue = [];
    handedThrough = Math.min(delivered, handedThrough);
    summary.rewindPosted(handedThrough);
  };

  const report = (event: PageSocketEvent): void => {
    if (!watching) {
      summary.observe(event);
      return;
    }
    // Marked before it is kept: a burst that overflows the summary while queued is not counted as missed.
    summary.markPosted(summary.nextSeq);
    summary.observe(event);
    queue.push(event);
    if (hiding) flushNow();
    else if (queue.length >= MAX_EVENTS_PER_MESSAGE) flush();
    else if (!scheduled) {
      scheduled = true;
      reflectApply(setTimer, win, [
        () => {
          scheduled = false;
          flush();
        },
        FLUSH_DELAY_MS,
      ]);
    }
  };

  try {
    // Added now, before any page script: the app's own pagehide handlers (unsubscribe, close) run after it and are
    // reported synchronously too, since `report` flushes at once once the page is hiding.
    win.addEventListener?.('pagehide', () => {
      hiding = true;
      flushNow();
    }, true);
    // Back from the back/forward cache: timers run again.
    win.addEventListener?.('pageshow', () => (hiding = false), true);
    // Registered before any page script: it runs first on window and hides the event from the page's listeners.
    win.addEventListener?.(
      HOOK_CONTROL_EVENT,
      (event: Event) => {
        event.stopImmediatePropagation();
        const control = parseHookControl((event as CustomEvent<unknown>).detail);
        if (control?.watch) watch(control.delivered);
        else if (control) unwatch(control.delivered);
      },
      true,
    );
    const installed = installSocketHook({ global: win, report, now, newSocketId: () => `${prefix}-${++count}` });
    if (!installed) return undefined;
  } catch {
    return undefined;
  }
  return {
    watch,
    unwatch,
    get watching() {
      return watching;
    },
  };
}

// Installs the WebSocket hook on a page window and posts what it reports to the relay in batches.

import { HOOK_TAG, HOOK_URGENT_EVENT, MAX_EVENTS_PER_MESSAGE, type HookMessage, type PageSocketEvent } from '../messages.js';
import { installSocketHook } from './socket-hook.js';

// Captured when the hook loads, before any page script can replace it.
const reflectApply = Reflect.apply;

/** Waiting this long gathers a burst of frames into one message. */
export const FLUSH_DELAY_MS = 16;

export interface PageWindow {
  WebSocket?: typeof WebSocket;
  origin?: string;
  postMessage(message: HookMessage, targetOrigin: string): void;
  setTimeout(handler: () => void, timeout: number): unknown;
  addEventListener?(type: string, listener: () => void, capture?: boolean): void;
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
    return () => origin + (reflectApply(now, performance, []) as number);
  }
  return Date.now;
}

/** Installs the hook; returns false when the window has no WebSocket or it could not be replaced. */
export function installPageHook(win: PageWindow): boolean {
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
  let scheduled = false;
  let hiding = false;

  const flush = (): void => {
    const events = queue;
    queue = [];
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_MESSAGE) {
      const message: HookMessage = { tag: HOOK_TAG, events: events.slice(i, i + MAX_EVENTS_PER_MESSAGE) };
      try {
        reflectApply(postMessage, win, [message, targetOrigin]);
      } catch {
        // Nothing to do: the page must not notice.
      }
    }
  };

  /** While the document unloads: hands what is queued to the relay synchronously (no timer or task runs anymore). */
  const flushNow = (): void => {
    const events = queue;
    queue = [];
    if (!events.length || !dispatchEvent || !CustomEventCtor) return;
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_MESSAGE) {
      const message: HookMessage = { tag: HOOK_TAG, events: events.slice(i, i + MAX_EVENTS_PER_MESSAGE) };
      try {
        reflectApply(dispatchEvent, win, [new CustomEventCtor(HOOK_URGENT_EVENT, { detail: stringify(message) })]);
      } catch {
        // Nothing to do: the page must not notice.
      }
    }
  };

  const report = (event: PageSocketEvent): void => {
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
    return installSocketHook({ global: win, report, now, newSocketId: () => `${prefix}-${++count}` });
  } catch {
    return false;
  }
}

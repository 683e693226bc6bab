// Installs the WebSocket hook on a page window: keeps a bounded summary, and hands events to the relay only while watched.

import { MAX_EVENTS_PER_MESSAGE, MAX_PAGE_MESSAGE_CHARS, pageEventChars, type HookMessage, type PageSocketEvent } from '../messages.js';
import { splitIntoBatches } from './batches.js';
import { createDisguise, type DisguiseRealm } from './disguise.js';
import { openRelayLink, randomName, type LinkWindow } from './hook-link.js';
import { PageSummary, seqOf, type SummaryLimits } from './page-summary.js';
import { installSocketHook, type SocketInjector } from './socket-hook.js';

// Captured when the hook loads, before any page script can replace it.
const reflectApply = Reflect.apply;

/** Waiting this long gathers a burst of frames into one message. */
export const FLUSH_DELAY_MS = 16;

export interface PageWindow extends LinkWindow, DisguiseRealm {
  WebSocket?: typeof WebSocket;
  URL?: typeof URL;
  setTimeout(handler: () => void, timeout: number): unknown;
  addEventListener?(type: string, listener: (event: Event) => void, capture?: boolean): void;
  performance?: Pick<Performance, 'now' | 'timeOrigin'>;
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

/** Driven by the relay over the private port; exposed for tests. */
export interface PageHook {
  /**
   * A panel watches this tab: hand over what the summary holds after event `delivered` (the last one that reached
   * the service worker), then post every event as it happens, stamped with `generation`.
   */
  watch(delivered?: number, generation?: number): void;
  /** Nobody watches: post nothing, keep the summary; the next watcher resumes after `delivered`. */
  unwatch(delivered?: number): void;
  readonly watching: boolean;
}

/** Installs the hook; returns undefined when the window has no WebSocket or it could not be replaced. */
export function installPageHook(win: PageWindow, summaryLimits?: SummaryLimits): PageHook | undefined {
  // First, before anything can fail: the relay takes the first handshake of this window, so it must be ours.
  const link = openRelayLink(win);
  // Captured now: the page may replace any of these later.
  const setTimer = win.setTimeout;
  const now = clock(win);
  const prefix = randomName(win, 12);
  let count = 0;
  let queue: PageSocketEvent[] = [];
  let queuedChars = 0;
  /** The last event handed to the relay. */
  let handedThrough = 0;
  let generation = 0;
  let scheduled = false;
  let hiding = false;
  let watching = false;
  const summary = new PageSummary(summaryLimits);
  let injector: SocketInjector | undefined;

  /** Messages within the per-message limits; each but a replay says the sequence number of its last event. */
  const messages = (events: PageSocketEvent[], extra: { replay?: true; notKept?: number } = {}): HookMessage[] => {
    const out: HookMessage[] = [];
    const batches = splitIntoBatches(events);
    if (!batches.length && extra.notKept) batches.push([]);
    for (const batch of batches) {
      const message: HookMessage = { type: 'events', generation, events: batch, ...(out.length === 0 ? extra : {}) };
      const last = batch.at(-1);
      if (!extra.replay && last) message.seq = seqOf(last);
      out.push(message);
    }
    return out;
  };

  const takeQueue = (): PageSocketEvent[] => {
    const events = queue;
    queue = [];
    queuedChars = 0;
    handedThrough = summary.postedThrough;
    return events;
  };

  const flush = (): void => {
    if (!watching || !link) return;
    for (const message of messages(takeQueue())) link.post(message);
  };

  /** While the document unloads: hands what is queued to the relay synchronously (no timer or task runs anymore). */
  const flushNow = (): void => {
    if (!watching || !link || !queue.length) return;
    for (const message of messages(takeQueue())) link.postNow(message);
  };

  const watch = (delivered = handedThrough, nextGeneration = generation): void => {
    watching = true;
    generation = nextGeneration;
    // What is queued, or was handed over but did not reach the worker, is part of the backfill.
    queue = [];
    queuedChars = 0;
    summary.rewindPosted(Math.min(delivered, handedThrough));
    const { replay, fresh, notKept } = summary.backfill();
    handedThrough = summary.postedThrough;
    if (!link) return;
    for (const message of messages(replay, { replay: true })) link.post(message);
    for (const message of messages(fresh, notKept ? { notKept } : {})) link.post(message);
  };

  const unwatch = (delivered = handedThrough): void => {
    watching = false;
    queue = [];
    queuedChars = 0;
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
    queue[queue.length] = event;
    queuedChars += pageEventChars(event);
    if (hiding) flushNow();
    else if (queue.length >= MAX_EVENTS_PER_MESSAGE || queuedChars >= MAX_PAGE_MESSAGE_CHARS) flush();
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
    link?.onControl((control) => {
      if (control.type === 'inject') {
        const outcome = injector?.inject(control.socketId, control.text) ?? 'noHook';
        link.post({ type: 'injected', injectionId: control.injectionId, outcome });
      } else if (control.type === 'watch') watch(control.delivered, control.generation);
      else unwatch(control.delivered);
    });
    // Added now, before any page script: the app's own pagehide handlers (unsubscribe, close) run after it and are
    // reported synchronously too, since `report` flushes at once once the page is hiding.
    win.addEventListener?.('pagehide', () => {
      hiding = true;
      flushNow();
    }, true);
    // Back from the back/forward cache: timers run again.
    win.addEventListener?.('pageshow', () => (hiding = false), true);
    const disguise = createDisguise(win);
    injector = installSocketHook({ global: win, report, now, disguise, newSocketId: () => `${prefix}-${++count}` });
    if (!injector) return undefined;
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

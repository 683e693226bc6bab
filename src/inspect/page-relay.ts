// Entry of the ISOLATED content script: relays the page hook's validated messages to the background while a panel watches.

import type { Runtime } from 'webextension-polyfill';
import {
  HOOK_CONTROL_EVENT,
  HOOK_TAG,
  HOOK_URGENT_EVENT,
  MAX_EVENTS_PER_MESSAGE,
  MAX_FRAME_CHARS,
  RELAY_PORT,
  WATCHING_STORAGE_KEY,
  type HookControl,
} from '../messages.js';
import { extensionApi as api } from '../extension-api.js';
import { createRelay } from './relay-core.js';

const MAX_URL_CHARS = 8192;
/** A batch of events at their largest, as JSON (frames are cut to MAX_FRAME_CHARS by the hook). */
const MAX_URGENT_CHARS = MAX_EVENTS_PER_MESSAGE * 1024 + 4 * MAX_FRAME_CHARS;

function contextValid(): boolean {
  try {
    return typeof api.runtime.id === 'string';
  } catch {
    return false;
  }
}

function controlHook(control: HookControl): void {
  window.dispatchEvent(new CustomEvent(HOOK_CONTROL_EVENT, { detail: control }));
}

const relay = createRelay({
  connect: () => api.runtime.connect({ name: RELAY_PORT }),
  contextValid,
  documentUrl: () => location.href.slice(0, MAX_URL_CHARS),
  newDocumentId: () => crypto.randomUUID(),
  controlHook,
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  now: () => Date.now(),
  onStop: () => {
    window.removeEventListener('message', onMessage, true);
    window.removeEventListener(HOOK_URGENT_EVENT, onUrgentMessage, true);
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
  },
});

function onMessage(event: MessageEvent): void {
  const data = event.data as { tag?: unknown } | null;
  if (event.source !== window || typeof data !== 'object' || data === null || data.tag !== HOOK_TAG) return;
  // Registered before any page script: the page's own message listeners never see the hook's traffic.
  event.stopImmediatePropagation();
  relay.onWindowMessage(true, event.data);
}

/** The hook's synchronous channel (unloading, or answering a control event): JSON text, validated like any hook message. */
function onUrgentMessage(event: Event): void {
  const detail = (event as CustomEvent<unknown>).detail;
  if (event.target !== window || typeof detail !== 'string' || detail.length > MAX_URGENT_CHARS) return;
  event.stopImmediatePropagation();
  let data: unknown;
  try {
    data = JSON.parse(detail);
  } catch {
    return;
  }
  relay.onWindowMessage(true, data, true);
}

function onPageHide(event: PageTransitionEvent): void {
  if (event.isTrusted) relay.flushNow();
}

/** Announces the document when a panel is open somewhere; the background answers whether it watches this tab. */
function announceIfAnyPanel(pageLoad: boolean): void {
  api.storage.local
    .get(WATCHING_STORAGE_KEY)
    .then((items) => {
      if (items[WATCHING_STORAGE_KEY] === true) relay.announce(pageLoad);
    })
    .catch(() => undefined);
}

function onPageShow(event: PageTransitionEvent): void {
  // Back from the back/forward cache: the tab shows this document again, a page load for the timeline. A panel may
  // have opened meanwhile: tabs.sendMessage does not reach a frozen page, so ask as at start.
  if (event.isTrusted && event.persisted) announceIfAnyPanel(true);
}

// Only the extension itself can message a content script; checked anyway, and the message only says whether to relay.
api.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (sender.id === api.runtime.id && !sender.tab) relay.onBackgroundMessage(message);
});

// Capture phase, registered at document_start: page listeners registered later cannot stop it.
window.addEventListener('message', onMessage, true);
window.addEventListener(HOOK_URGENT_EVENT, onUrgentMessage, true);
window.addEventListener('pagehide', onPageHide);
window.addEventListener('pageshow', onPageShow);
// While no panel is open anywhere, nothing more happens here: no port, no message, the worker sleeps.
announceIfAnyPanel(false);

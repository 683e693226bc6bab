// Entry of the ISOLATED content script: relays the page hook's validated messages to the background through a port.

import browser, { type Runtime } from 'webextension-polyfill';
import { HOOK_URGENT_EVENT, isBackgroundToRelay, MAX_FRAME_CHARS, MAX_EVENTS_PER_MESSAGE, RELAY_PORT } from '../messages.js';
import { createRelay } from './relay-core.js';

const MAX_URL_CHARS = 8192;
/** A batch of events at their largest, as JSON (frames are cut to MAX_FRAME_CHARS by the hook). */
const MAX_URGENT_CHARS = MAX_EVENTS_PER_MESSAGE * 1024 + 4 * MAX_FRAME_CHARS;

function contextValid(): boolean {
  try {
    return typeof browser.runtime.id === 'string';
  } catch {
    return false;
  }
}

const relay = createRelay({
  connect: () => browser.runtime.connect({ name: RELAY_PORT }),
  contextValid,
  documentUrl: () => location.href.slice(0, MAX_URL_CHARS),
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
  relay.onWindowMessage(event.source === window, event.data);
}

/** The hook's synchronous channel while the page unloads: JSON text, parsed and validated like any hook message. */
function onUrgentMessage(event: Event): void {
  const detail = (event as CustomEvent<unknown>).detail;
  if (event.target !== window || typeof detail !== 'string' || detail.length > MAX_URGENT_CHARS) return;
  let data: unknown;
  try {
    data = JSON.parse(detail);
  } catch {
    return;
  }
  relay.onWindowMessage(true, data, true);
}

function onPageHide(): void {
  relay.flushNow();
}

function onPageShow(event: PageTransitionEvent): void {
  // Back from the back/forward cache: the tab shows this document again, a page load for the timeline.
  if (event.persisted && window === window.top) relay.announce();
}

// Only the extension itself can message a content script; checked anyway, and the message only asks for a replay.
browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (sender.id === browser.runtime.id && !sender.tab && isBackgroundToRelay(message)) relay.resync();
});

// Capture phase, registered at document_start: page listeners registered later cannot stop it.
window.addEventListener('message', onMessage, true);
window.addEventListener(HOOK_URGENT_EVENT, onUrgentMessage, true);
window.addEventListener('pagehide', onPageHide);
window.addEventListener('pageshow', onPageShow);
// The top frame announces each page load at once; other frames only when they have sockets to report.
if (window === window.top) relay.announce();

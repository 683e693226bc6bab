// Entry of the ISOLATED content script: relays the page hook's validated messages to the background through a port.

import browser, { type Runtime } from 'webextension-polyfill';
import { isBackgroundToRelay, RELAY_PORT } from '../messages.js';
import { createRelay } from './relay-core.js';

const MAX_URL_CHARS = 8192;

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
    window.removeEventListener('pageshow', onPageShow);
  },
});

function onMessage(event: MessageEvent): void {
  relay.onWindowMessage(event.source === window, event.data);
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
window.addEventListener('pageshow', onPageShow);
// The top frame announces each page load at once; other frames only when they have sockets to report.
if (window === window.top) relay.announce();

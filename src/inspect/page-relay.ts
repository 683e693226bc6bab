// Entry of the ISOLATED content script: relays the page hook's validated messages to the background while a panel watches.

import type { Runtime } from 'webextension-polyfill';
import { isInjectRequest, MAX_PAGE_URL_CHARS, RELAY_PORT, WATCHING_STORAGE_KEY, type InjectOutcome } from '../messages.js';
import { extensionApi as api } from '../extension-api.js';
import { randomName } from './hook-link.js';
import { acceptHookPort } from './hook-port.js';
import { createRelay } from './relay-core.js';

function contextValid(): boolean {
  try {
    return typeof api.runtime.id === 'string';
  } catch {
    return false;
  }
}

// First, at document_start before any page script and before the hook (the manifest lists the relay first): the hook
// posts its handshake when it runs, and Firefox runs each document_start script in its own task, so a relay that came
// second could miss it.
const hook = acceptHookPort(window, (data, urgent) => relay.onHookMessage(data, urgent));

const relay = createRelay({
  connect: () => api.runtime.connect({ name: RELAY_PORT }),
  contextValid,
  documentUrl: () => location.href.slice(0, MAX_PAGE_URL_CHARS),
  // Not crypto.randomUUID(): it exists only in secure contexts, and a plain-http app page or about:blank is not one.
  newDocumentId: () => randomName(window, 32),
  now: () => Date.now(),
  controlHook: (control) => hook.control(control),
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  onStop: () => {
    hook.close();
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
  },
});

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

// Only the extension itself can message a content script; checked anyway. A message says whether to relay, or is the
// panel's injection, answered with what the hook did through sendResponse: Chromium 150 (Debian's) ignores a promise a
// listener returns (the sender gets undefined), while `return true` keeps the channel open in Chrome and Firefox.
type RespondWith = (outcome: InjectOutcome) => void;
api.runtime.onMessage.addListener(((message: unknown, sender: Runtime.MessageSender, sendResponse: RespondWith): true | undefined => {
  if (sender.id !== api.runtime.id || sender.tab) return undefined;
  if (isInjectRequest(message)) {
    void relay.inject(message).then(sendResponse);
    return true;
  }
  relay.onBackgroundMessage(message);
  return undefined;
}) as Parameters<typeof api.runtime.onMessage.addListener>[0]);

window.addEventListener('pagehide', onPageHide);
window.addEventListener('pageshow', onPageShow);
// While no panel is open anywhere, nothing more happens here: no port, no message, the worker sleeps.
announceIfAnyPanel(false);

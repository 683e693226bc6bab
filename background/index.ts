// The MV3 service worker: restores state, routes panel and page-relay ports to per-tab workspaces.

import browser, { type Runtime } from 'webextension-polyfill';
import { isRelayToBackground, RELAY_PORT, type BackgroundToRelay } from '../src/messages.js';
import { PanelRouter, panelTabId } from './panel-router.js';
import { WorkspaceStore, type KeyValueArea } from './persistence.js';
import { Workspace, type PersistedWorkspace } from './workspace.js';

const epoch = crypto.randomUUID();
const store = new WorkspaceStore(browser.storage.session as unknown as KeyValueArea);
const workspaces = new Map<number, Workspace>();
let restored: Map<number, PersistedWorkspace> | undefined;

const ready: Promise<void> = store
  .loadAll()
  .then((list) => {
    restored = new Map(list.map((w) => [w.tabId, w]));
  })
  .catch((error: unknown) => {
    console.error('LiveQuery DevTools: cannot read saved state', error);
    restored = new Map();
  });

async function workspaceFor(tabId: number): Promise<Workspace> {
  await ready;
  let workspace = workspaces.get(tabId);
  if (!workspace) {
    const saved = restored?.get(tabId);
    restored?.delete(tabId);
    workspace = new Workspace(
      tabId,
      {
        epoch,
        onRecord: (id, record) => router.recordAdded(id, record),
        onChanged: (id, what) => router.viewChanged(id, what),
        persist: (id) => store.scheduleSave(id, () => workspaces.get(id)?.persisted()),
      },
      saved,
    );
    workspaces.set(tabId, workspace);
  }
  return workspace;
}

const resyncPage: BackgroundToRelay = { type: 'resyncPage' };

const router = new PanelRouter({
  workspace: workspaceFor,
  existing: (tabId) => workspaces.get(tabId),
  panelAttached: (tabId, workspace) => {
    // After a restart the page's long-lived sockets are unknown until they next send a frame: ask for their state.
    if (workspace.pageSockets().length === 0) browser.tabs.sendMessage(tabId, resyncPage).catch(() => undefined);
  },
});

const extensionOrigin = browser.runtime.getURL('');

function attachRelay(port: Runtime.Port): void {
  const tabId = port.sender?.tab?.id;
  const frameId = port.sender?.frameId ?? 0;
  const frameUrl = port.sender?.url ?? '';
  if (tabId === undefined || tabId < 0) return port.disconnect();
  port.onMessage.addListener((message: unknown) => {
    if (!isRelayToBackground(message)) return;
    void workspaceFor(tabId).then((workspace) => {
      if (message.type === 'document') workspace.onPageDocument(frameId, message.url);
      else workspace.onPageSocketEvents(frameId, frameUrl, message.events, { replay: message.replay, dropped: message.dropped });
    });
  });
}

browser.runtime.onConnect.addListener((port) => {
  if (port.sender?.id !== browser.runtime.id) return port.disconnect();
  if (port.name === RELAY_PORT) {
    // Only content scripts in web pages relay page traffic.
    if (port.sender.url?.startsWith(extensionOrigin)) return port.disconnect();
    return attachRelay(port);
  }
  const tabId = panelTabId(port);
  // Only our own extension pages (the DevTools panel) may drive connections.
  if (tabId === undefined || !port.sender.url?.startsWith(extensionOrigin)) return port.disconnect();
  router.attach(port, tabId);
});

browser.tabs.onRemoved.addListener((tabId) => {
  const workspace = workspaces.get(tabId);
  workspaces.delete(tabId);
  restored?.delete(tabId);
  void workspace?.dispose();
  void store.remove(tabId);
});

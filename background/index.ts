// The MV3 service worker: restores state, routes panel and page-relay ports to per-tab workspaces.

import browser, { type Runtime } from 'webextension-polyfill';
import { isInjectOutcome, isRelayToBackground, RELAY_PORT, WATCHING_STORAGE_KEY, type BackgroundToRelay, type InjectOutcome } from '../src/messages.js';
import { KeyringOwner } from './keyring/keyring-owner.js';
import { KeyringPorts } from './keyring/keyring-ports.js';
import { KeepAlive } from './keep-alive.js';
import { indexedDbVault } from './keyring/keyring-vault.js';
import { PageWatch } from './page/page-watch.js';
import { PanelRouter, panelTabId } from './panel-router.js';
import { WorkspaceStore, type KeyValueArea } from './persistence.js';
import { BacklogBudget } from './recorder.js';
import { ServerRegistry } from './servers/server-registry.js';
import { Workspace, type PersistedWorkspace } from './workspace.js';

const epoch = crypto.randomUUID();
const store = new WorkspaceStore(browser.storage.session as unknown as KeyValueArea);
const registry = new ServerRegistry(browser.storage.session as unknown as KeyValueArea);
const workspaces = new Map<number, Workspace>();
const backlogBudget = new BacklogBudget();
let restored: Map<number, PersistedWorkspace> | undefined;
const PRESERVED_TABS_KEY = 'pageWatch:preservedTabs';
const keepAlive = new KeepAlive({
  ping: () => browser.runtime.getPlatformInfo(),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (timer) => clearInterval(timer as ReturnType<typeof setInterval>),
});

function createPageWatch(preserved: number[]): PageWatch {
  return new PageWatch(
    {
      tellTab: (tabId, message) => void browser.tabs.sendMessage(tabId, message).catch(() => undefined),
      setAnyWatched: (any) => {
        keepAlive.set(any);
        const write = any
          ? browser.storage.local.set({ [WATCHING_STORAGE_KEY]: true })
          : browser.storage.local.remove(WATCHING_STORAGE_KEY);
        write.catch((error: unknown) => console.error('LiveQuery DevTools: cannot save the watch flag', error));
      },
      savePreserved: (tabIds) =>
        void browser.storage.session.set({ [PRESERVED_TABS_KEY]: tabIds }).catch(() => undefined),
    },
    preserved,
  );
}

let pageWatch: PageWatch | undefined;

const ready: Promise<void> = Promise.all([
  // The shared servers first: every workspace restored or created after this follows them.
  registry.load().then(() => store.loadAll()),
  browser.storage.session.get(PRESERVED_TABS_KEY).then((items) => items[PRESERVED_TABS_KEY]),
])
  .then(([list, preserved]) => {
    restored = new Map(list.map((w) => [w.tabId, w]));
    const tabIds = Array.isArray(preserved) ? preserved.filter((id): id is number => Number.isInteger(id)) : [];
    pageWatch = createPageWatch(tabIds);
  })
  .catch((error: unknown) => {
    console.error('LiveQuery DevTools: cannot read saved state', error);
    restored = new Map();
    pageWatch = createPageWatch([]);
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
        registry,
        sink: router,
        budget: backlogBudget,
        persist: (id) => store.scheduleSave(id, () => workspaces.get(id)?.persisted()),
        injectIntoPage: (tab, frameId, request) =>
          browser.tabs.sendMessage(tab, request, { frameId }).then(
            (answer: unknown): InjectOutcome => (isInjectOutcome(answer) ? answer : 'noHook'),
            (): InjectOutcome => 'noHook',
          ),
      },
      saved,
    );
    workspaces.set(tabId, workspace);
  }
  return workspace;
}

const router = new PanelRouter({
  workspace: workspaceFor,
  existing: (tabId) => workspaces.get(tabId),
  // Called after `ready`: the router waits for the workspace first.
  panelAttached: (tabId, preserveLog) => pageWatch?.panelAttached(tabId, preserveLog),
  panelDetached: (tabId) => pageWatch?.panelDetached(tabId),
  preserveLogChanged: (tabId, on) => pageWatch?.setPreserveLog(tabId, on),
});

const keyring = new KeyringPorts(
  new KeyringOwner({ vault: indexedDbVault(), session: browser.storage.session, legacy: browser.storage.local }),
);

const extensionOrigin = browser.runtime.getURL('');

function attachRelay(port: Runtime.Port): void {
  const tabId = port.sender?.tab?.id;
  const frameId = port.sender?.frameId ?? 0;
  const frameUrl = port.sender?.url ?? '';
  if (tabId === undefined || tabId < 0) return port.disconnect();
  port.onMessage.addListener((message: unknown) => {
    if (!isRelayToBackground(message)) return;
    void ready.then(async () => {
      const watched = pageWatch?.isWatched(tabId) === true;
      if (message.type === 'document') {
        const answer: BackgroundToRelay = { type: 'watch', on: watched };
        try {
          port.postMessage(answer);
        } catch {
          return;
        }
      }
      // A relay sends nothing else while unwatched; whatever arrives after the tab stopped being watched is dropped.
      if (!watched) return;
      const workspace = await workspaceFor(tabId);
      if (message.type === 'document') workspace.onPageDocument(frameId, message.url, message.documentId, message.again, message.startedAt);
      else {
        const { replay, dropped, notKept } = message;
        workspace.onPageSocketEvents(frameId, frameUrl, message.events, { replay, dropped, notKept });
      }
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
  keyring.attach(port);
});

browser.tabs.onRemoved.addListener((tabId) => {
  const workspace = workspaces.get(tabId);
  workspaces.delete(tabId);
  restored?.delete(tabId);
  pageWatch?.tabRemoved(tabId);
  void workspace?.dispose();
  void store.remove(tabId);
});

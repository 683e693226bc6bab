// The panel's entry: finds the inspected tab, connects to the service worker, follows the DevTools theme, renders.

import { render } from 'preact';
import { extensionApi as browser } from '../src/extension-api.js';
import { now } from '../src/timeline/clock.js';
import { devtoolsInspectedPage } from './adapters/inspected-page.js';
import { createBridgePort } from './adapters/port.js';
import { createRegexChecker } from './adapters/regex-checker.js';
import { fetchRestClient } from '../src/parse-rest/rest-client.js';
import { fetchServerProbe } from './adapters/server-probe.js';
import { extensionStorage } from './adapters/storage.js';
import { App, type Defaults } from './components/App.js';
import { preloadLazyModules } from './lazy-module.js';
import { createPanelStore, loadSettings, PanelStoreContext, saveSettingsOnChange } from './store/index.js';
import { sanitizeDefaults } from './store/first-run.js';

interface DevtoolsPanels {
  themeName?: string;
  setThemeChangeHandler?: (handler: (theme: string) => void) => void;
  onThemeChanged?: { addListener(handler: (theme: string) => void): void };
}

function inspectedTabId(): number | undefined {
  const fromDevtools = (globalThis as { chrome?: { devtools?: { inspectedWindow?: { tabId?: number } } } }).chrome?.devtools
    ?.inspectedWindow?.tabId;
  if (typeof fromDevtools === 'number') return fromDevtools;
  const fromQuery = Number(new URLSearchParams(location.search).get('tabId'));
  return Number.isInteger(fromQuery) && fromQuery >= 0 ? fromQuery : undefined;
}

function applyTheme(): void {
  const panels = (browser.devtools?.panels ?? undefined) as DevtoolsPanels | undefined;
  const set = (theme: string | undefined) => {
    const dark = theme ? theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.classList.toggle('theme-dark', dark);
  };
  set(panels?.themeName);
  panels?.setThemeChangeHandler?.(set);
  panels?.onThemeChanged?.addListener(set);
  // Outside DevTools (panel.html in a tab, Firefox without themeName) the system theme decides, also when it changes.
  if (!panels?.themeName) matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => set(undefined));
}

async function loadDefaults(): Promise<Defaults> {
  try {
    const response = await fetch('dev-defaults.json');
    return response.ok ? sanitizeDefaults(await response.json()) : {};
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  applyTheme();
  const root = document.getElementById('app')!;
  const tabId = inspectedTabId();
  if (tabId === undefined) {
    root.textContent = 'This page is the LiveQuery DevTools panel: open it from the DevTools "LiveQuery" tab.';
    return;
  }
  const local = extensionStorage('local');
  const [settings, defaults] = await Promise.all([loadSettings(local), loadDefaults()]);
  const port = createBridgePort(tabId);
  const store = createPanelStore({
    port,
    local,
    rest: fetchRestClient(),
    page: devtoolsInspectedPage(),
    nextFrame: (callback) => requestAnimationFrame(callback),
    now,
    settings,
    defaults,
    regexChecker: createRegexChecker(),
    timers: { setInterval: (callback, ms) => setInterval(callback, ms), clearInterval: (handle) => clearInterval(handle as number) },
    probe: fetchServerProbe(),
  });
  port.onMessage(() => (document.body.dataset.ready = 'true'));
  if (defaults.query) store.composer.update(defaults.query);
  void store.load();
  saveSettingsOnChange(local, () => ({
    preserveLog: store.page.preserveLog.value,
    filter: store.timeline.filter.value,
    capacity: store.timeline.capacity.value,
    layout: store.layout.settings(),
    resultCap: store.resultSets.cap.value,
    autoCheck: store.resultSets.autoCheck.value,
    tokenCheckSeconds: store.tokenRadar.checkSeconds.value,
    fanout: store.fanout.settings.value,
  }));
  render(
    <PanelStoreContext.Provider value={store}>
      <App defaults={defaults} />
    </PanelStoreContext.Provider>,
    root,
  );
  store.connect();
  // The views, rules and formats split off the first paint are fetched once the panel is idle.
  const whenIdle = (globalThis as { requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => void }).requestIdleCallback;
  if (whenIdle) whenIdle(preloadLazyModules, { timeout: 2000 });
  else setTimeout(preloadLazyModules, 200);
}

void main();

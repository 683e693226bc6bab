// The panel's entry: finds the inspected tab, connects to the service worker, follows the DevTools theme, renders.

import { effect } from '@preact/signals';
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { Bridge } from './bridge.js';
import { App, applyDefaults, type Defaults } from './components/App.js';
import { createAppState } from './state/app-state.js';
import { loadSettings, saveSettings } from './state/settings.js';

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
}

async function loadDefaults(): Promise<Defaults> {
  try {
    const response = await fetch('dev-defaults.json');
    return response.ok ? ((await response.json()) as Defaults) : {};
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
  const [settings, defaults] = await Promise.all([loadSettings(), loadDefaults()]);
  const state = createAppState(settings);
  const bridge = new Bridge(tabId, {
    onMessage: (message) => {
      state.receive(message);
      document.body.dataset.ready = 'true';
    },
    onStatus: (connected) => (state.connected.value = connected),
    lastSeen: () => state.liveTimeline.lastSeen(),
    preserveLog: () => state.preserveLog.peek(),
  });
  state.setBridge(bridge);
  applyDefaults(state, defaults);
  effect(() => saveSettings({ preserveLog: state.preserveLog.value, filter: state.filter.value, capacity: state.capacity.value }));
  render(<App state={state} defaults={defaults} />, root);
  bridge.connect();
  // After connect: the hello carries the first value, this effect each change.
  let first = true;
  effect(() => {
    const on = state.preserveLog.value;
    if (!first) bridge.send({ type: 'setPreserveLog', on });
    first = false;
  });
}

void main();

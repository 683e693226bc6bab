// Real Chromium with the real extension for the benchmarks: a private copy of dist/chrome (so a rebuild by someone
// else mid-run cannot change what is measured), the real DevTools panel, and the panel driven like a user does.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureExtensionBuilt, launchBrowser, openDevToolsPanel, type Harness, type PanelHandle } from '../../e2e/harness/index.js';
import { addServer, subscribe, waitForServerState, waitForSubscriptionState } from '../../e2e/support/panel-actions.js';
import type { StreamServer, Subscriber } from './stream-server.js';

export interface BenchBrowser {
  harness: Harness;
  /** The tab DevTools inspects (a blank page of the stream server). */
  inspected: Page;
  panel: PanelHandle;
  extensionDir: string;
  close(): Promise<void>;
}

/** Builds the extension if stale, copies it to a temp dir (dev-defaults emptied) and returns that dir. */
export function privateExtensionCopy(): string {
  const dist = ensureExtensionBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lq-bench-ext-'));
  cpSync(dist, dir, { recursive: true });
  writeFileSync(join(dir, 'dev-defaults.json'), '{}');
  return dir;
}

export async function openBenchBrowser(server: StreamServer, options: { args?: string[] } = {}): Promise<BenchBrowser> {
  // Playwright (1.65) enables CDP Network events on every service worker it attaches to, so each WebSocket frame of
  // the extension's connections is also sent to the harness over CDP — which cut the pipeline from ~30k to ~11k
  // events/s here.
  // The benchmarks measure the extension, not the instrumentation: opt out (the pages stay instrumented).
  process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK ??= '1';
  const extensionDir = privateExtensionCopy();
  let harness: Harness | undefined;
  try {
    harness = await launchBrowser({ extensionPath: extensionDir, args: options.args });
    const inspected = await harness.newPage(server.httpURL('/'));
    const panel = await openDevToolsPanel(harness, inspected, { timeoutMs: 30_000 });
    const opened = harness;
    return {
      harness: opened,
      inspected,
      panel,
      extensionDir,
      async close() {
        await opened.close().catch(() => undefined);
        rmSync(extensionDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await harness?.close().catch(() => undefined);
    rmSync(extensionDir, { recursive: true, force: true });
    throw error;
  }
}

/** Adds the stream server in the panel and subscribes to Game, as a user does; returns the server-side subscriber. */
export async function connectPanel(panel: PanelHandle, server: StreamServer): Promise<Subscriber> {
  const subscriber = server.nextSubscriber(30_000);
  await addServer(panel, { serverURL: server.liveQueryURL, applicationId: server.applicationId, javascriptKey: server.javascriptKey });
  await waitForServerState(panel, 'connected');
  await subscribe(panel, { className: 'Game' });
  await waitForSubscriptionState(panel, 'subscribed');
  return subscriber;
}

/** The panel's record count and dropped count, from the toolbar text ("N records", "M / N records · K dropped"). */
export function panelCounts(panel: PanelHandle): Promise<{ size: number; dropped: number }> {
  return panel.evaluate(() => {
    const text = document.querySelector('[data-testid="record-counts"]')?.textContent ?? '';
    const size = /(\d+) records/.exec(text);
    const dropped = /(\d+) dropped/.exec(text);
    return { size: size ? Number(size[1]) : -1, dropped: dropped ? Number(dropped[1]) : 0 };
  });
}

/**
 * Waits until `done` (an expression in the panel) is truthy, giving up when the record count has not moved for
 * `stallMs`. Returns the value, or undefined on a stall.
 */
export async function waitInPanel<T>(panel: PanelHandle, done: string, stallMs = 10_000, intervalMs = 100): Promise<T | undefined> {
  let lastSize = -1;
  let lastChange = Date.now();
  for (;;) {
    const value = await panel.evaluate<T | null>(`(${done}) || null`);
    if (value) return value;
    const { size } = await panelCounts(panel);
    if (size !== lastSize) {
      lastSize = size;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// The fallback: panel.html in a normal tab, told which tab it inspects through ?tabId=. Full Playwright API there.
// It cannot cover chrome.devtools.* (inspectedWindow.eval, panels.onShown, themeName), the devtools_page or the
// DevTools lifecycle: keep those for openDevToolsPanel().
import type { Page } from 'playwright-core';
import type { Harness } from './browser.js';

export interface PanelTabOptions {
  /** Tab id to inspect; default: the tab id of `inspectedPage` (harness.tabIdOf). */
  tabId?: number;
  /** Page of the panel inside the extension (default 'panel.html'). */
  panelPage?: string;
  /** Extra query parameters for the panel URL. */
  params?: Record<string, string>;
  /** Wait for body[data-ready=true] (default true). */
  waitReady?: boolean;
  timeoutMs?: number;
}

export async function openPanelTab(harness: Harness, inspectedPage: Page, options: PanelTabOptions = {}): Promise<Page> {
  const tabId = options.tabId ?? (await harness.tabIdOf(inspectedPage));
  const search = new URLSearchParams({ tabId: String(tabId), ...options.params });
  const page = await harness.context.newPage();
  await page.goto(`${harness.extensionUrl(options.panelPage ?? 'panel.html')}?${search}`);
  if (options.waitReady ?? true) {
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: options.timeoutMs ?? 10_000 });
  }
  return page;
}

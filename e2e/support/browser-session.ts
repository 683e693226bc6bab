// Per-file e2e lifecycle: static pages served for the whole file, a fresh browser per test, closed after it.

import { after, afterEach, before } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, openDevToolsPanel, type Harness, type PanelHandle } from '../harness/index.js';
import { serveStaticPages, type StaticPages } from './static-page.js';

export interface BrowserSession {
  readonly pages: StaticPages;
  /** The current test's browser (after openPanel). */
  readonly harness: Harness;
  /** A fresh browser with `url` (default: a blank page) open and the real DevTools LiveQuery panel on it. */
  openPanel(url?: string): Promise<{ page: Page; panel: PanelHandle }>;
  /** A fresh browser with `url` open and DevTools still closed (open it later with openDevToolsPanel). */
  openPage(url?: string): Promise<Page>;
}

/** Registers the hooks in the calling test file; `pages` are extra paths to serve. */
export function useBrowserSession(pages: () => Record<string, string> = () => ({})): BrowserSession {
  let served: StaticPages | undefined;
  let harness: Harness | undefined;
  before(async () => {
    served = await serveStaticPages(pages());
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  after(() => served?.close());
  return {
    get pages() {
      if (!served) throw new Error('the static pages start in before()');
      return served;
    },
    get harness() {
      if (!harness) throw new Error('no browser: call openPanel() first');
      return harness;
    },
    async openPage(url?: string) {
      harness = await launchBrowser();
      return harness.newPage(url ?? served!.url());
    },
    async openPanel(url?: string) {
      const page = await this.openPage(url);
      return { page, panel: await openDevToolsPanel(harness!, page) };
    },
  };
}

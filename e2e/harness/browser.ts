// Launches Debian's Chromium with the unpacked extension in a fresh profile and hands tests one object to drive it.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { ensureExtensionBuilt } from './build.js';
import { NonFlatCdp } from './cdp.js';
import { chromiumArgs, findChromium } from './chromium.js';
import { poll, withTimeout } from './wait.js';

export interface LaunchOptions {
  /** Unpacked extension to load; default dist/chrome, built first when missing or stale. */
  extensionPath?: string;
  /** Default: headless unless HEADED=1 (headed needs a display, e.g. xvfb-run). */
  headless?: boolean;
  /** Default: CHROME_PATH, else /usr/lib/chromium/chromium, else /usr/bin/chromium. */
  executablePath?: string;
  /** Extra Chromium switches, after the recipe's. */
  args?: string[];
  /** How long to wait for the extension's service worker after launch (default 10 s). */
  timeoutMs?: number;
  /** Map every host but loopback to "not found" (default true: tests never leave the machine; npm start may). */
  offline?: boolean;
}

/** Google-branded Chrome ignores --load-extension since version 137: load the extension over CDP there instead. */
function needsCdpLoading(executablePath: string): boolean {
  return /google-chrome|google chrome|chrome-(stable|beta|dev|canary)/i.test(executablePath);
}

export interface HarnessTimings {
  /** launchPersistentContext until the extension's service worker is known. */
  launchMs: number;
}

type EvaluateFn<T, A> = (arg: A) => T | Promise<T>;

export interface Harness {
  readonly context: BrowserContext;
  readonly extensionId: string;
  readonly extensionPath: string;
  readonly userDataDir: string;
  readonly executablePath: string;
  readonly timings: HarnessTimings;
  /** chrome-extension://<id>/<path> */
  extensionUrl(path: string): string;
  /**
   * The extension's service worker (Playwright Worker). While the worker is stopped this handle's evaluate() hangs
   * until it restarts: use evaluateInServiceWorker(), which has a deadline.
   */
  serviceWorker(options?: { timeoutMs?: number }): Promise<Worker>;
  /** Worker.evaluate with a deadline (default 5 s); throws a TimeoutError instead of hanging on a stopped worker. */
  evaluateInServiceWorker<T, A = undefined>(fn: EvaluateFn<T, A>, arg?: A, options?: { timeoutMs?: number }): Promise<T>;
  /** A new tab, optionally navigated to `url`. */
  newPage(url?: string): Promise<Page>;
  /** CDP target id of a Playwright page. */
  targetIdOf(page: Page): Promise<string>;
  /**
   * The extension-side tab id (chrome.tabs) of a Playwright page. The extension has no "tabs" permission, so tabs
   * come without URL or title: when the page's window has several tabs the page is brought to front and the
   * window's active tab is taken (this makes it the active tab, as a user looking at it would).
   */
  tabIdOf(page: Page): Promise<number>;
  /** The browser-level CDP session and the non-flat router for nested targets (DevTools frontend, panel iframe). */
  cdp(): Promise<NonFlatCdp>;
  close(): Promise<void>;
}

interface TabInfo {
  id?: number;
  active: boolean;
  windowId: number;
}

/** The slice of the extension API the harness calls inside the service worker. */
interface ChromeTabsGlobal {
  chrome: { tabs: { query(query: { windowId?: number; active?: boolean }): Promise<TabInfo[]> } };
}

const liveProfiles = new Set<string>();
process.once('exit', () => {
  for (const dir of liveProfiles) rmSync(dir, { recursive: true, force: true });
});

function removeProfile(dir: string): void {
  liveProfiles.delete(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Harness> {
  const extensionPath = resolve(options.extensionPath ?? ensureExtensionBuilt());
  if (!existsSync(join(extensionPath, 'manifest.json'))) throw new Error(`no extension at ${extensionPath} (manifest.json missing)`);
  const executablePath = options.executablePath ?? findChromium();
  const headless = options.headless ?? process.env.HEADED !== '1';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const userDataDir = mkdtempSync(join(tmpdir(), 'lq-e2e-profile-'));
  liveProfiles.add(userDataDir);

  const started = Date.now();
  let context: BrowserContext;
  try {
    const viaCdp = needsCdpLoading(executablePath);
    const args = chromiumArgs(extensionPath, { offline: options.offline ?? true, loadWithFlag: !viaCdp });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless,
      viewport: null,
      args: [...args, ...(viaCdp ? ['--enable-unsafe-extension-debugging'] : []), ...(options.args ?? [])],
      ignoreDefaultArgs: viaCdp ? ['--disable-extensions'] : undefined,
      timeout: 30_000,
    });
    if (viaCdp) {
      const session = await context.browser()!.newBrowserCDPSession();
      await session.send('Extensions.loadUnpacked' as never, { path: extensionPath } as never);
    }
  } catch (error) {
    removeProfile(userDataDir);
    const hint = !headless && !process.env.DISPLAY ? ' (HEADED=1 needs a display: run under xvfb-run)' : '';
    throw new Error(`could not launch ${executablePath}${hint}: ${error instanceof Error ? error.message : String(error)}`);
  }

  let extensionId: string;
  try {
    const expected = `chrome-extension://${expectedExtensionId(extensionPath)}/`;
    const ours = (w: Worker): boolean => w.url().startsWith(expected);
    const worker = await withTimeout(
      (async () => context.serviceWorkers().find(ours) ?? (await context.waitForEvent('serviceworker', { predicate: ours, timeout: timeoutMs })))(),
      timeoutMs + 1_000,
      `service worker of ${expected} after launch`,
    ).catch((error: unknown) => {
      // The id could not be predicted (unusual manifest key): accept the only extension worker there is.
      const workers = context.serviceWorkers().filter((w) => w.url().startsWith('chrome-extension://'));
      if (workers.length === 1 && workers[0]) return workers[0];
      throw error;
    });
    extensionId = new URL(worker.url()).host;
  } catch (error) {
    await context.close().catch(() => undefined);
    removeProfile(userDataDir);
    throw new Error(`the extension at ${extensionPath} did not start a service worker (bad manifest or background error?): ${String(error)}`);
  }
  const launchMs = Date.now() - started;
  const origin = `chrome-extension://${extensionId}/`;
  let cdpPromise: Promise<NonFlatCdp> | undefined;
  let closed = false;

  const serviceWorker = async (opts: { timeoutMs?: number } = {}): Promise<Worker> => {
    const workers = context.serviceWorkers().filter((w) => w.url().startsWith(origin));
    const latest = workers.at(-1);
    if (latest) return latest;
    return context.waitForEvent('serviceworker', { predicate: (w) => w.url().startsWith(origin), timeout: opts.timeoutMs ?? 5_000 });
  };

  const evaluateInServiceWorker = async <T, A>(fn: EvaluateFn<T, A>, arg?: A, opts: { timeoutMs?: number } = {}): Promise<T> => {
    const timeout = opts.timeoutMs ?? 5_000;
    const worker = await serviceWorker({ timeoutMs: timeout });
    // Playwright's evaluate types want a serializable arg; ours is the caller's responsibility.
    const evaluate = worker.evaluate as (f: EvaluateFn<T, A>, a?: A) => Promise<T>;
    return withTimeout(evaluate.call(worker, fn, arg), timeout, 'service worker evaluate (is the worker stopped?)');
  };

  const cdp = (): Promise<NonFlatCdp> => {
    cdpPromise ??= (async () => {
      const browser = context.browser();
      if (!browser) throw new Error('context.browser() is null: cannot open a browser CDP session');
      const session: CDPSession = await browser.newBrowserCDPSession();
      return new NonFlatCdp(session);
    })();
    return cdpPromise;
  };

  const targetIdOf = async (page: Page): Promise<string> => {
    const session = await context.newCDPSession(page);
    try {
      return (await session.send('Target.getTargetInfo')).targetInfo.targetId;
    } finally {
      await session.detach().catch(() => undefined);
    }
  };

  const tabIdOf = async (page: Page): Promise<number> => {
    const { browserSession } = await cdp();
    const { windowId } = await browserSession.send('Browser.getWindowForTarget', { targetId: await targetIdOf(page) });
    const query = (q: { windowId: number; active?: boolean }): Promise<TabInfo[]> =>
      evaluateInServiceWorker((qq) => (globalThis as unknown as ChromeTabsGlobal).chrome.tabs.query(qq), q);
    let tabs = await query({ windowId });
    if (tabs.length !== 1) {
      await page.bringToFront();
      tabs = await poll(async () => {
        const active = await query({ windowId, active: true });
        return active.length === 1 ? active : undefined;
      }, { timeoutMs: 3_000, message: `the active tab of window ${windowId}` });
    }
    const id = tabs[0]?.id;
    if (typeof id !== 'number') throw new Error(`no tab id for ${page.url()} (window ${windowId})`);
    return id;
  };

  return {
    context,
    extensionId,
    extensionPath,
    userDataDir,
    executablePath,
    timings: { launchMs },
    extensionUrl: (path) => origin + path.replace(/^\//, ''),
    serviceWorker,
    evaluateInServiceWorker,
    async newPage(url) {
      const page = await context.newPage();
      if (url) await page.goto(url);
      return page;
    },
    targetIdOf,
    tabIdOf,
    cdp,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await withTimeout(context.close(), 15_000, 'closing the browser');
      } finally {
        removeProfile(userDataDir);
      }
    },
  };
}

/**
 * The id Chromium gives an unpacked extension: from the manifest "key" when there is one, else from the absolute
 * path; the first 128 bits of the SHA-256, hex digits 0-f written as letters a-p.
 */
export function expectedExtensionId(extensionPath: string): string {
  const manifestPath = join(extensionPath, 'manifest.json');
  const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { key?: unknown }) : {};
  const input = typeof manifest.key === 'string' ? Buffer.from(manifest.key, 'base64') : Buffer.from(realpathSync(extensionPath));
  const hex = createHash('sha256').update(input).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

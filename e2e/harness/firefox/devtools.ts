// Opens Firefox's OWN DevTools (the toolbox of a tab) on the LiveQuery panel and drives the panel document over BiDi.
//
// Steps, all from the browser window's chrome scope: gDevTools.showToolboxForTab → wait until the devtools_page has
// registered the extension's panel (toolbox.getAdditionalTools) → toolbox.selectTool → the panel's <browser> in
// webext-panels.xhtml → its browsing context, made addressable by BiDi (chrome-scripts.ts, panelContextIdsScript).
import { writeFileSync } from 'node:fs';
import { functionCall, runHelperUntilDone, type HelperName } from '../in-page.js';
import { artifactPath } from '../paths.js';
import { poll } from '../wait.js';
import { evaluateIn } from './bidi.js';
import { closeToolboxScript, openPanelScript, panelContextIdsScript, selectToolScript } from './chrome-scripts.js';
import type { FirefoxHarness, FirefoxTab } from './launch.js';

const DEFAULT_ACTION_TIMEOUT = 5_000;

export interface FirefoxPanelOptions {
  /** Title given to devtools.panels.create (default 'LiveQuery'). */
  panelTitle?: string;
  /** Wait for body[data-ready=true] (default true). */
  waitReady?: boolean;
  /** Deadline for the whole open (default 20 s). */
  timeoutMs?: number;
}

export interface FirefoxPanelWaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** The LiveQuery panel inside Firefox's toolbox; the same driving methods as the Chromium PanelHandle. */
export interface FirefoxPanel {
  /** browser.devtools.inspectedWindow.tabId, read in the panel. */
  readonly tabId: number;
  /** DevTools' tool id of the panel. */
  readonly toolId: string;
  /** BiDi context id of the panel document. */
  readonly context: string;
  evaluate<T>(expression: string): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  waitFor<T>(condition: string | (() => T | Promise<T>), options?: FirefoxPanelWaitOptions): Promise<NonNullable<Awaited<T>>>;
  waitForReady(options?: FirefoxPanelWaitOptions): Promise<void>;
  text(selector: string, options?: { timeoutMs?: number }): Promise<string>;
  texts(selector: string): Promise<string[]>;
  count(selector: string): Promise<number>;
  /**
   * Waits until the element is there, enabled, visible and not covered, then clicks it (element.click(): BiDi's
   * input actions address tabs only).
   */
  click(selector: string, options?: { timeoutMs?: number; dom?: boolean }): Promise<void>;
  fill(selector: string, value: string, options?: { timeoutMs?: number }): Promise<void>;
  /** PNG of the panel document; relative paths go under artifacts/. Returns the path. */
  screenshot(path: string): Promise<string>;
  /** Switches the toolbox to another tool ('webconsole', … or this.toolId). */
  selectTool(toolId: string): Promise<void>;
  /** Closes the toolbox (the panel unloads, its ports disconnect). */
  close(): Promise<void>;
}

class ToolboxPanel implements FirefoxPanel {
  tabId = -1;
  #closed = false;

  constructor(
    private readonly harness: FirefoxHarness,
    private readonly inspected: FirefoxTab,
    readonly toolId: string,
    readonly context: string,
  ) {}

  evaluate<T>(expression: string): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  evaluate<T, A>(fnOrExpression: string | ((arg: A) => T | Promise<T>), arg?: A): Promise<T> {
    const expression = typeof fnOrExpression === 'string' ? fnOrExpression : functionCall(fnOrExpression, arg);
    return this.#evaluate<T>(expression);
  }

  #evaluate<T>(expression: string, timeoutMs = 10_000): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the DevTools panel handle is closed'));
    return evaluateIn<T>(this.harness.bidi, this.context, expression, timeoutMs);
  }

  waitFor<T>(condition: string | (() => T | Promise<T>), options: FirefoxPanelWaitOptions = {}): Promise<NonNullable<Awaited<T>>> {
    const expression = typeof condition === 'string' ? condition : functionCall(condition, undefined);
    const timeoutMs = options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT;
    return poll(() => this.#evaluate<Awaited<T>>(expression, timeoutMs), {
      timeoutMs,
      intervalMs: options.intervalMs ?? 50,
      message: options.message ?? `panel: ${typeof condition === 'string' ? condition : 'predicate'}`,
    }) as Promise<NonNullable<Awaited<T>>>;
  }

  async waitForReady(options: FirefoxPanelWaitOptions = {}): Promise<void> {
    await this.waitFor("document.body?.dataset.ready === 'true'", { message: 'panel ready (body[data-ready=true])', timeoutMs: 10_000, ...options });
  }

  /** Runs a DOM helper until it succeeds or the deadline passes (its last error in the message). */
  #helper<T>(name: HelperName, selector: string, args: unknown[], options: { timeoutMs?: number } = {}): Promise<T> {
    return runHelperUntilDone<T>((expression, ms) => this.#evaluate(expression, ms), name, selector, args, options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT);
  }

  text(selector: string, options?: { timeoutMs?: number }): Promise<string> {
    return this.#helper<string>('text', selector, [], options);
  }

  texts(selector: string): Promise<string[]> {
    return this.#helper<string[]>('texts', selector, [], { timeoutMs: 0 });
  }

  count(selector: string): Promise<number> {
    return this.#helper<number>('count', selector, [], { timeoutMs: 0 });
  }

  async click(selector: string, options: { timeoutMs?: number; dom?: boolean } = {}): Promise<void> {
    if (!options.dom) await this.#helper('clickPoint', selector, [], options);
    await this.#helper('domClick', selector, [], options);
  }

  async fill(selector: string, value: string, options?: { timeoutMs?: number }): Promise<void> {
    await this.#helper('fill', selector, [value], options);
  }

  async screenshot(path: string): Promise<string> {
    const file = artifactPath(path);
    const { data } = await this.harness.bidi.send('browsingContext.captureScreenshot', { context: this.context }, 20_000);
    writeFileSync(file, Buffer.from(data, 'base64'));
    return file;
  }

  async selectTool(toolId: string): Promise<void> {
    await this.harness.chrome(selectToolScript(this.inspected.context, toolId));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.harness.chrome(closeToolboxScript(this.inspected.context)).catch(() => undefined);
  }
}

/** Opens Firefox's toolbox on `tab`, selects the LiveQuery panel and returns a handle on the panel document. */
export async function openFirefoxDevToolsPanel(harness: FirefoxHarness, tab: FirefoxTab, options: FirefoxPanelOptions = {}): Promise<FirefoxPanel> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  await harness.chrome(panelContextIdsScript());
  const opened = await harness.chrome<{ context: string; toolId: string; url: string }>(
    openPanelScript(tab.context, harness.extensionId, options.panelTitle ?? 'LiveQuery', left()),
    left() + 1_000,
  );
  if (!opened.url.startsWith(harness.extensionUrl('panel.html'))) throw new Error(`the LiveQuery tool shows ${opened.url}, not the panel`);
  const panel = new ToolboxPanel(harness, tab, opened.toolId, opened.context);
  try {
    // The document may still be the initial one for a moment: wait for the panel's own script.
    const inspected = await panel.waitFor<{ tabId: number } | null>(
      "typeof browser?.devtools?.inspectedWindow?.tabId === 'number' ? { tabId: browser.devtools.inspectedWindow.tabId } : null",
      { timeoutMs: left(), message: 'browser.devtools.inspectedWindow.tabId in the panel' },
    );
    panel.tabId = inspected.tabId;
    if (options.waitReady ?? true) await panel.waitForReady({ timeoutMs: left() });
    return panel;
  } catch (error) {
    await panel.close();
    throw error;
  }
}

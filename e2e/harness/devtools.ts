// Opens the REAL DevTools for a page, selects the extension's panel and drives the panel document over CDP.
//
// Steps: Target.openDevTools → wait until the frontend target really is
// devtools://…/devtools_app.html and loaded (it can still be about:blank when openDevTools returns: the one flake)
// → import the frontend's UI module and InspectorView.showPanel("chrome-extension://<id><title>") (panels load
// lazily, the panel iframe only exists after that) → attach to the panel.html iframe target (non-flat CDP).
import { dirname, isAbsolute } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Harness } from './browser.js';
import { evaluateIn, isTransientContextError, type NonFlatCdp, type TargetSession } from './cdp.js';
import { functionCall, runHelperUntilDone, type HelperName } from './in-page.js';
import { keyEvent } from './keys.js';
import { artifactPath } from './paths.js';
import { poll, sleep, TimeoutError } from './wait.js';

export type DockSide = 'undocked' | 'bottom' | 'right' | 'left';

export interface OpenPanelOptions {
  /** Title given to chrome.devtools.panels.create (default 'LiveQuery'). */
  panelTitle?: string;
  /** Page of the panel inside the extension (default 'panel.html'). */
  panelPage?: string;
  /** Where DevTools goes (default 'undocked': its own 1400×900 window, so the panel is big in screenshots). */
  dock?: DockSide;
  /** Wait for document.body.dataset.ready === 'true' in the panel (default true). */
  waitReady?: boolean;
  /** Deadline for the whole open (default 20 s). */
  timeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what is awaited, for the timeout error. */
  message?: string;
}

export interface ActionOptions {
  timeoutMs?: number;
}

export interface PanelTimings {
  /** Target.openDevTools until the frontend is loaded. */
  frontendMs: number;
  /** showPanel until the panel iframe target is attached. */
  panelMs: number;
  /** attach until body[data-ready=true] (0 with waitReady: false). */
  readyMs: number;
  totalMs: number;
}

export interface PanelHandle {
  /** chrome.devtools.inspectedWindow.tabId, read in the panel. */
  readonly tabId: number;
  /** "chrome-extension://<id><title>", the DevTools panel id. */
  readonly panelId: string;
  readonly devtoolsTargetId: string;
  readonly timings: PanelTimings;
  /** Exceptions and console.error/warn messages of the panel document since it was attached. */
  readonly errors: readonly string[];
  /** Evaluates an expression (promises awaited) in the panel document; retried while the context is being replaced. */
  evaluate<T>(expression: string): Promise<T>;
  /** Evaluates `fn(arg)` in the panel document; `fn` is sent as source: it cannot use variables of the test. */
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Polls an expression or predicate in the panel until it is truthy and returns that value. */
  waitFor<T>(condition: string | (() => T | Promise<T>), options?: WaitOptions): Promise<NonNullable<Awaited<T>>>;
  /** body[data-ready=true] */
  waitForReady(options?: WaitOptions): Promise<void>;
  /** Rendered text (innerText, trimmed) of the first match; waits for it to exist. */
  text(selector: string, options?: ActionOptions): Promise<string>;
  /** Rendered texts of all matches (no waiting). */
  texts(selector: string): Promise<string[]>;
  /** Number of matches (no waiting). */
  count(selector: string): Promise<number>;
  /**
   * Waits until the element is there, enabled, visible and not covered, then clicks its centre with real (trusted)
   * mouse events. `{dom: true}` calls element.click() instead.
   */
  click(selector: string, options?: ActionOptions & { dom?: boolean }): Promise<void>;
  /** Sets the value with the native setter and dispatches input + change (what Preact's onInput/onChange hear). */
  fill(selector: string, value: string, options?: ActionOptions): Promise<void>;
  /** Focuses the element and inserts text as real keyboard input (Input.insertText). */
  type(selector: string, text: string, options?: ActionOptions): Promise<void>;
  /** Focuses the element and presses a key with real key events: "Enter", "Escape", "Shift+Tab", "Control+a", "x". */
  press(selector: string, key: string, options?: ActionOptions): Promise<void>;
  /** PNG of the whole DevTools window (panel included); relative paths go under artifacts/. Returns the path. */
  screenshot(path: string): Promise<string>;
  /** Evaluates in the DevTools frontend itself (devtools_app.html). */
  evaluateInFrontend<T>(expression: string): Promise<T>;
  /** Switches DevTools to another panel ('elements', 'console', … or this.panelId); for onShown/onHidden tests. */
  selectPanel(panelId: string): Promise<void>;
  /** Closes DevTools (the panel's ports disconnect) and detaches. */
  close(): Promise<void>;
}

const DEFAULT_ACTION_TIMEOUT = 5_000;

/** Waits until the DevTools target is the real frontend, fully loaded (not the initial about:blank). */
async function waitForDevToolsFrontend(session: TargetSession, timeoutMs: number): Promise<void> {
  await poll(
    async () => {
      const state = await evaluateIn<{ href: string; readyState: string }>(session, '({ href: location.href, readyState: document.readyState })', { timeoutMs: 2_000 });
      return state.href.startsWith('devtools://devtools/bundled/') && state.readyState === 'complete';
    },
    { timeoutMs, intervalMs: 50, message: 'DevTools frontend loaded' },
  );
}

/** Frontend script: waits for the inspector view to know the panel, sets the dock side, shows the panel. */
function showPanelScript(panelId: string, dock: DockSide | undefined, timeoutMs: number): string {
  return `(async () => {
    const UI = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
    const panelId = ${JSON.stringify(panelId)};
    const deadline = Date.now() + ${timeoutMs};
    let view;
    while (!(view = UI.InspectorView.InspectorView.maybeGetInspectorViewInstance()) || !view.hasPanel(panelId)) {
      if (Date.now() > deadline) {
        return { error: view ? 'DevTools has no panel ' + panelId + '; panels: ' + view.tabbedPane.tabIds().join(', ') : 'DevTools inspector view never appeared' };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    ${dock ? `UI.DockController.DockController.instance().setDockSide(${JSON.stringify(dock)});` : ''}
    await view.showPanel(panelId);
    return { selected: view.tabbedPane.selectedTabId };
  })()`;
}

class DevToolsPanel implements PanelHandle {
  readonly errors: string[] = [];
  tabId = -1;
  timings: PanelTimings = { frontendMs: 0, panelMs: 0, readyMs: 0, totalMs: 0 };
  #panel: TargetSession | undefined;
  #attaching: Promise<TargetSession> | undefined;
  #closed = false;

  constructor(
    private readonly cdp: NonFlatCdp,
    private readonly frontend: TargetSession,
    readonly devtoolsTargetId: string,
    readonly panelId: string,
    private readonly panelUrl: string,
  ) {}

  /** Finds the panel iframe target of this DevTools window and attaches to it (again, after a detach). */
  attachPanel(timeoutMs: number): Promise<TargetSession> {
    if (this.#panel && !this.#panel.detached) return Promise.resolve(this.#panel);
    this.#attaching ??= this.#attach(timeoutMs).finally(() => {
      this.#attaching = undefined;
    });
    return this.#attaching;
  }

  async #attach(timeoutMs: number): Promise<TargetSession> {
    const target = await poll(
      async () => {
        const { targetInfos } = await this.cdp.browserSession.send('Target.getTargets');
        return targetInfos.find((t) => t.type === 'iframe' && t.url.startsWith(this.panelUrl) && t.parentId === this.devtoolsTargetId);
      },
      { timeoutMs, message: `panel iframe ${this.panelUrl} in DevTools` },
    );
    const session = await this.cdp.attach(target.targetId);
    session.on('Runtime.exceptionThrown', (params) => {
      const details = (params as { exceptionDetails?: { text?: string; exception?: { description?: string } } }).exceptionDetails;
      this.errors.push(`exception: ${details?.exception?.description ?? details?.text ?? 'unknown'}`);
    });
    session.on('Runtime.consoleAPICalled', (params) => {
      const call = params as { type: string; args?: { value?: unknown; description?: string }[] };
      if (call.type !== 'error' && call.type !== 'warning') return;
      const text = (call.args ?? []).map((a) => (a.value !== undefined ? String(a.value) : (a.description ?? ''))).join(' ');
      this.errors.push(`console.${call.type}: ${text}`);
    });
    await session.send('Runtime.enable', {});
    this.#panel = session;
    return session;
  }

  evaluate<T>(expression: string): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  evaluate<T, A>(fnOrExpression: string | ((arg: A) => T | Promise<T>), arg?: A): Promise<T> {
    const expression = typeof fnOrExpression === 'string' ? fnOrExpression : functionCall(fnOrExpression, arg);
    return this.#evaluate<T>(expression);
  }

  async #evaluate<T>(expression: string, timeoutMs = 10_000): Promise<T> {
    if (this.#closed) throw new Error('the DevTools panel handle is closed');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const session = await this.attachPanel(Math.max(1, deadline - Date.now()));
        return await evaluateIn<T>(session, expression, { timeoutMs: Math.max(1_000, deadline - Date.now()) });
      } catch (error) {
        if (!isTransientContextError(error) || Date.now() >= deadline) throw error;
        await sleep(50);
      }
    }
  }

  async waitFor<T>(condition: string | (() => T | Promise<T>), options: WaitOptions = {}): Promise<NonNullable<Awaited<T>>> {
    const expression = typeof condition === 'string' ? condition : functionCall(condition, undefined);
    try {
      return await poll(() => this.#evaluate<Awaited<T>>(expression, options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT), {
        timeoutMs: options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT,
        intervalMs: options.intervalMs ?? 50,
        message: options.message ?? `panel: ${typeof condition === 'string' ? condition : 'predicate'}`,
      });
    } catch (error) {
      throw this.#withErrors(error);
    }
  }

  async waitForReady(options: WaitOptions = {}): Promise<void> {
    await this.waitFor("document.body?.dataset.ready === 'true'", { message: 'panel ready (body[data-ready=true])', timeoutMs: 10_000, ...options });
  }

  /** Runs a DOM helper until it succeeds or the deadline passes (its last error in the message). */
  async #helper<T>(name: HelperName, selector: string, args: unknown[], options: ActionOptions = {}): Promise<T> {
    try {
      return await runHelperUntilDone<T>((expression, ms) => this.#evaluate(expression, ms), name, selector, args, options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT);
    } catch (error) {
      throw error instanceof TimeoutError ? this.#withErrors(error) : error;
    }
  }

  #withErrors(error: unknown): unknown {
    if (!(error instanceof Error) || this.errors.length === 0) return error;
    error.message += `\npanel errors so far:\n  ${this.errors.slice(-10).join('\n  ')}`;
    return error;
  }

  text(selector: string, options?: ActionOptions): Promise<string> {
    return this.#helper<string>('text', selector, [], options);
  }

  texts(selector: string): Promise<string[]> {
    return this.#helper<string[]>('texts', selector, [], { timeoutMs: 0 });
  }

  count(selector: string): Promise<number> {
    return this.#helper<number>('count', selector, [], { timeoutMs: 0 });
  }

  async click(selector: string, options: ActionOptions & { dom?: boolean } = {}): Promise<void> {
    if (options.dom) {
      await this.#helper('domClick', selector, [], options);
      return;
    }
    // A row above may still grow after the element held still (an answer from a server): a press that lands on
    // something inert is tried again once; one that lands on another control is an error, never a silent miss.
    for (let attempt = 1; ; attempt++) {
      const point = await this.#stablePoint(selector, options);
      await this.#helper('armClick', selector, [], options);
      const session = await this.attachPanel(DEFAULT_ACTION_TIMEOUT);
      await session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: point.x, y: point.y, button: 'none' });
      await session.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: point.x, y: point.y, button: 'left', buttons: 1, clickCount: 1 });
      await session.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: point.x, y: point.y, button: 'left', buttons: 0, clickCount: 1 });
      const landed = await this.#helper<{ onTarget: boolean; target: string; interactive: boolean }>('clickLanded', selector, [], { timeoutMs: 2_000 });
      if (landed.onTarget) return;
      if (landed.interactive || attempt === 2) {
        throw new Error(`click(${JSON.stringify(selector)}): the layout moved and the press landed on ${landed.target} instead`);
      }
    }
  }

  /**
   * Where to click, once the element stays put for two animation frames (as Playwright's "stable" check): a panel that
   * is still laying out (a verdict line appearing above) would otherwise take the click somewhere else.
   */
  async #stablePoint(selector: string, options: ActionOptions): Promise<{ x: number; y: number }> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_ACTION_TIMEOUT);
    let point = await this.#helper<{ x: number; y: number }>('clickPoint', selector, [], options);
    for (;;) {
      // A hidden panel gets no frames: 100 ms stands in for them there.
      await this.#evaluate('new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(done)); setTimeout(done, 100); })');
      const again = await this.#helper<{ x: number; y: number }>('clickPoint', selector, [], { timeoutMs: Math.max(0, deadline - Date.now()) });
      if ((again.x === point.x && again.y === point.y) || Date.now() >= deadline) return again;
      point = again;
    }
  }

  async fill(selector: string, value: string, options?: ActionOptions): Promise<void> {
    await this.#helper('fill', selector, [value], options);
  }

  async type(selector: string, text: string, options?: ActionOptions): Promise<void> {
    await this.#helper('focus', selector, [], options);
    await (await this.attachPanel(DEFAULT_ACTION_TIMEOUT)).send('Input.insertText', { text });
  }

  async press(selector: string, key: string, options?: ActionOptions): Promise<void> {
    const params = keyEvent(key);
    await this.#helper('focus', selector, [], options);
    const session = await this.attachPanel(DEFAULT_ACTION_TIMEOUT);
    const { text, ...common } = params;
    await session.send('Input.dispatchKeyEvent', text ? { type: 'keyDown', ...common, text, unmodifiedText: text } : { type: 'rawKeyDown', ...common });
    await session.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common });
  }

  async screenshot(path: string): Promise<string> {
    const file = isAbsolute(path) ? path : artifactPath(path);
    mkdirSync(dirname(file), { recursive: true });
    const { data } = await this.frontend.send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(file, Buffer.from(data, 'base64'));
    return file;
  }

  evaluateInFrontend<T>(expression: string): Promise<T> {
    return evaluateIn<T>(this.frontend, expression);
  }

  async selectPanel(panelId: string): Promise<void> {
    const result = await evaluateIn<{ selected?: string; error?: string }>(this.frontend, showPanelScript(panelId, undefined, 5_000));
    if (result.error) throw new Error(result.error);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#panel?.detach();
    await this.frontend.detach();
    const { browserSession } = this.cdp;
    await browserSession.send('Target.closeTarget', { targetId: this.devtoolsTargetId }).catch(() => undefined);
    await poll(
      async () => !(await browserSession.send('Target.getTargets')).targetInfos.some((t) => t.targetId === this.devtoolsTargetId),
      { timeoutMs: 5_000, message: 'DevTools closed' },
    ).catch(() => undefined);
  }

}

/** Opens the real DevTools for `page`, selects the extension panel and returns a handle on the panel document. */
export async function openDevToolsPanel(harness: Harness, page: Page, options: OpenPanelOptions = {}): Promise<PanelHandle> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = started + timeoutMs;
  const left = (): number => Math.max(1_000, deadline - Date.now());
  const panelId = `chrome-extension://${harness.extensionId}${(options.panelTitle ?? 'LiveQuery').replace(/\s+/g, '').replace(/:\d+/g, '')}`;
  const panelUrl = harness.extensionUrl(options.panelPage ?? 'panel.html');

  const cdp = await harness.cdp();
  const { targetId: devtoolsTargetId } = await cdp.browserSession.send('Target.openDevTools', { targetId: await harness.targetIdOf(page) });
  const frontend = await cdp.attach(devtoolsTargetId);
  const panel = new DevToolsPanel(cdp, frontend, devtoolsTargetId, panelId, panelUrl);
  try {
    await waitForDevToolsFrontend(frontend, left());
    const frontendAt = Date.now();

    // The script may meet a context swap (the flake in the recipe); it is idempotent, so retry it.
    let shown: { selected?: string; error?: string };
    for (;;) {
      try {
        shown = await evaluateIn(frontend, showPanelScript(panelId, options.dock ?? 'undocked', Math.min(10_000, left())), { timeoutMs: left() });
        break;
      } catch (error) {
        if (!isTransientContextError(error) || Date.now() >= deadline) throw error;
        await sleep(50);
      }
    }
    if (shown.error) throw new Error(`${shown.error} (is devtools_page creating the "${options.panelTitle ?? 'LiveQuery'}" panel?)`);
    if (shown.selected !== panelId) throw new Error(`DevTools selected ${shown.selected}, not ${panelId}`);

    await panel.attachPanel(left());
    const attachedAt = Date.now();
    panel.tabId = await panel.evaluate<number>('chrome.devtools.inspectedWindow.tabId');
    if (options.waitReady ?? true) await panel.waitForReady({ timeoutMs: left() });
    const readyAt = Date.now();
    panel.timings = {
      frontendMs: frontendAt - started,
      panelMs: attachedAt - frontendAt,
      readyMs: options.waitReady === false ? 0 : readyAt - attachedAt,
      totalMs: readyAt - started,
    };
    return panel;
  } catch (error) {
    await panel.close().catch(() => undefined);
    throw error;
  }
}

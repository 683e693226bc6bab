// A browser-level CDP client over Chromium's debugging port (flat sessions), for a benchmark that must not have
// Playwright attached to the page it measures: it opens the real DevTools on a tab, selects a panel and talks to
// DevTools and the panel only. The recipe is the e2e harness's (e2e/harness/devtools.ts), without Playwright.

import WebSocket from 'ws';
import { isTransientContextError, type ExceptionDetails, type RemoteObject } from '../../e2e/harness/cdp.js';
import { poll } from '../../e2e/harness/index.js';
import { sleep } from './stats.js';

interface Reply {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  parentId?: string;
}

export class RawCdp {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let reply: Reply;
      try {
        reply = JSON.parse(String(data)) as Reply;
      } catch {
        return;
      }
      if (typeof reply.id !== 'number') return;
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      clearTimeout(pending.timer);
      if (reply.error) pending.reject(new Error(reply.error.message));
      else pending.resolve(reply.result);
    });
    socket.on('close', () => {
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(new Error('CDP connection closed'));
        this.pending.delete(id);
      }
    });
  }

  static connect(url: string): Promise<RawCdp> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      socket.once('open', () => resolve(new RawCdp(socket)));
      socket.once('error', reject);
    });
  }

  send<T>(method: string, params: object = {}, sessionId?: string, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject: (error) => reject(new Error(`${method}: ${error.message}`)), timer });
      this.socket.send(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }));
    });
  }

  /** Evaluates `expression` in a session (promises awaited, result by value); retried while the context is replaced. */
  async evaluate<T>(sessionId: string, expression: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const reply = await this.send<{ result: RemoteObject; exceptionDetails?: ExceptionDetails }>(
          'Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true },
          sessionId,
          Math.max(1_000, deadline - Date.now()),
        );
        if (reply.exceptionDetails) {
          const details = reply.exceptionDetails;
          throw new Error(`evaluation failed: ${String(details.exception?.description ?? details.exception?.value ?? details.text)}`);
        }
        return reply.result.value as T;
      } catch (error) {
        if (!isTransientContextError(error) || Date.now() >= deadline) throw error;
        await sleep(50);
      }
    }
  }

  async targets(): Promise<TargetInfo[]> {
    return (await this.send<{ targetInfos: TargetInfo[] }>('Target.getTargets')).targetInfos;
  }

  async attach(targetId: string): Promise<string> {
    return (await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true })).sessionId;
  }

  close(): void {
    this.socket.close();
  }
}

export interface DevToolsWindow {
  targetId: string;
  /** The panel DevTools shows. */
  selected: string;
  /** Session of the extension panel's document, when one was selected. */
  panelSession?: string;
}

/**
 * Opens the real DevTools for the tab `pageTargetId`, undocked (its own window, as the benchmarks and e2e tests do).
 * With `panel`, selects that extension panel and waits until its document is ready (body[data-ready=true]);
 * without, DevTools stays on the panel it opens with.
 */
export async function openDevTools(
  cdp: RawCdp,
  pageTargetId: string,
  panel?: { id: string; url: string },
  timeoutMs = 30_000,
): Promise<DevToolsWindow> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  const { targetId } = await cdp.send<{ targetId: string }>('Target.openDevTools', { targetId: pageTargetId });
  const frontend = await cdp.attach(targetId);
  // Target.openDevTools can return while the new target is still on its initial about:blank.
  await poll(
    async () => {
      const state = await cdp.evaluate<{ href: string; readyState: string }>(frontend, '({ href: location.href, readyState: document.readyState })', 2_000);
      return state.href.startsWith('devtools://devtools/bundled/') && state.readyState === 'complete';
    },
    { timeoutMs: left(), message: 'DevTools frontend loaded' },
  );
  const shown = await cdp.evaluate<{ selected?: string; error?: string }>(
    frontend,
    `(async () => {
      const UI = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
      const panelId = ${JSON.stringify(panel?.id ?? null)};
      const deadline = Date.now() + ${Math.min(15_000, left())};
      let view;
      while (!(view = UI.InspectorView.InspectorView.maybeGetInspectorViewInstance()) || !view.tabbedPane.selectedTabId || (panelId && !view.hasPanel(panelId))) {
        if (Date.now() > deadline) return { error: view ? 'no panel ' + panelId + ' in ' + view.tabbedPane.tabIds().join(', ') : 'no inspector view' };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      UI.DockController.DockController.instance().setDockSide('undocked');
      if (panelId) await view.showPanel(panelId);
      return { selected: view.tabbedPane.selectedTabId };
    })()`,
    left(),
  );
  if (shown.error || !shown.selected) throw new Error(`DevTools: ${shown.error ?? 'no panel selected'}`);
  if (panel && shown.selected !== panel.id) throw new Error(`DevTools selected ${shown.selected}, not ${panel.id}`);
  await cdp.send('Target.detachFromTarget', { sessionId: frontend });
  if (!panel) return { targetId, selected: shown.selected };
  // Panels load lazily: the panel iframe exists once the panel was shown.
  const iframe = await poll(
    async () => (await cdp.targets()).find((t) => t.type === 'iframe' && t.url.startsWith(panel.url) && t.parentId === targetId),
    { timeoutMs: left(), message: `panel iframe ${panel.url}` },
  );
  const panelSession = await cdp.attach(iframe.targetId);
  await poll(() => cdp.evaluate<boolean>(panelSession, "document.body?.dataset.ready === 'true'", 2_000), { timeoutMs: left(), message: 'panel ready' });
  return { targetId, selected: shown.selected, panelSession };
}

/** Navigates a tab through a short-lived session: nothing stays attached to the page (no domain is enabled). */
export async function navigateTab(cdp: RawCdp, pageTargetId: string, url: string): Promise<void> {
  const sessionId = await cdp.attach(pageTargetId);
  try {
    await cdp.send('Page.navigate', { url }, sessionId);
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
  }
}

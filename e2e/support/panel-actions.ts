// What a user does in the LiveQuery panel, as steps shared by the e2e tests (works on the real DevTools panel).

import type { Harness, PanelHandle } from '../harness/index.js';
import { byTestId } from '../harness/index.js';

/** What these steps need of a panel: Chromium's DevTools PanelHandle and the Firefox toolbox panel both have it. */
export type PanelDriver = Pick<PanelHandle, 'evaluate' | 'waitFor' | 'fill' | 'click'>;

export interface ServerInput {
  serverURL: string;
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
}

export async function addServer(panel: PanelDriver, server: ServerInput): Promise<void> {
  const form = byTestId('add-server-form');
  await panel.evaluate(() => {
    const details = document.querySelector('[data-testid="add-server-form"]')?.closest('details');
    if (details) details.open = true;
  });
  await panel.fill(`${form} ${byTestId('server-serverURL')}`, server.serverURL);
  await panel.fill(`${form} ${byTestId('server-applicationId')}`, server.applicationId);
  await panel.fill(`${form} ${byTestId('server-javascriptKey')}`, server.javascriptKey ?? '');
  await panel.fill(`${form} ${byTestId('server-masterKey')}`, server.masterKey ?? '');
  await panel.click(`${form} ${byTestId('server-submit')}`);
}

export async function subscribe(
  panel: PanelDriver,
  query: { className: string; where?: string; keys?: string; watch?: string; sessionToken?: string },
): Promise<void> {
  await panel.fill(byTestId('subscribe-className'), query.className);
  await panel.click(byTestId('where-mode-json'));
  await panel.fill(byTestId('subscribe-where'), query.where ?? '{}');
  await panel.fill(byTestId('subscribe-keys'), query.keys ?? '');
  await panel.fill(byTestId('subscribe-watch'), query.watch ?? '');
  await panel.fill(byTestId('subscribe-token'), query.sessionToken ?? '');
  await panel.click(byTestId('subscribe-submit'));
}

/** Waits until the n-th server card (0-based) shows `state`. */
export function waitForServerState(panel: PanelDriver, state: string, index = 0, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(
    `document.querySelectorAll('[data-testid="server"]')[${index}]?.querySelector('[data-testid="server-state"]')?.dataset.state === ${JSON.stringify(state)}`,
    { timeoutMs, message: `server ${index} ${state}` },
  );
}

export function waitForSubscriptionState(panel: PanelDriver, state: string, index = 0, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(
    `document.querySelectorAll('[data-testid="subscription"]')[${index}]?.dataset.state === ${JSON.stringify(state)}`,
    { timeoutMs, message: `subscription ${index} ${state}` },
  );
}

/** The timeline rows currently rendered, as "kind summary" lines. */
export function rowTexts(panel: PanelDriver): Promise<{ kind: string; text: string }[]> {
  return panel.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"]')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((row) => ({ kind: row.dataset.kind ?? '', text: row.innerText.replace(/\s+/g, ' ') })),
  );
}

/** Waits for a rendered row of `kind` whose text contains `text`. */
export function waitForRow(panel: PanelDriver, kind: string, text = '', timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(
    `[...document.querySelectorAll('[data-testid="timeline-row"][data-kind=${JSON.stringify(kind)}]')].some((r) => r.innerText.includes(${JSON.stringify(text)}))`,
    { timeoutMs, message: `a ${kind} row containing "${text}"` },
  );
}

/** Marks the n-th element matching `selector` so that panel.click can target it. Returns the selector to click. */
export async function nth(panel: PanelDriver, selector: string, index: number, mark: string): Promise<string> {
  await panel.evaluate(
    ([sel, i, name]: [string, number, string]) => {
      document.querySelectorAll(`[data-e2e="${name}"]`).forEach((el) => el.removeAttribute('data-e2e'));
      const el = document.querySelectorAll(sel)[i];
      if (!el) throw new Error(`no ${sel} #${i}`);
      el.setAttribute('data-e2e', name);
    },
    [selector, index, mark] as [string, number, string],
  );
  return `[data-e2e="${mark}"]`;
}

/** Sizes the (undocked) DevTools window, so that the panel is about `width` CSS pixels wide. */
export async function resizeDevTools(harness: Harness, panel: PanelHandle, width: number, height = 900): Promise<void> {
  const { browserSession } = await harness.cdp();
  const { windowId } = await browserSession.send('Browser.getWindowForTarget', { targetId: panel.devtoolsTargetId });
  await browserSession.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
  await browserSession.send('Browser.setWindowBounds', { windowId, bounds: { width, height } });
  await panel.waitFor(`Math.abs(innerWidth - ${width}) < 40`, { message: `the panel about ${width} px wide` });
}

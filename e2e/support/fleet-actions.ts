// Fleet steps for the e2e tests: add labelled server entries, read the fleet's nodes, run a fan-out check.

import type { PanelHandle } from '../harness/index.js';
import { byTestId } from '../harness/index.js';
import { request, type RestTarget } from '../../test/harness/rest.js';

export interface LabelledServer {
  serverURL: string;
  label: string;
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
  restURL?: string;
}

export async function addLabelledServer(panel: PanelHandle, server: LabelledServer): Promise<void> {
  const form = byTestId('add-server-form');
  await panel.evaluate(() => {
    const details = document.querySelector('[data-testid="add-server-form"]')?.closest('details');
    if (details) details.open = true;
  });
  const before = await panel.count(byTestId('server'));
  for (const key of ['serverURL', 'applicationId', 'javascriptKey', 'masterKey', 'label', 'restURL'] as const) {
    if (await panel.count(`${form} ${byTestId(`server-${key}`)}`)) await panel.fill(`${form} ${byTestId(`server-${key}`)}`, server[key] ?? '');
  }
  await panel.click(`${form} ${byTestId('server-submit')}`);
  await panel.waitFor(`document.querySelectorAll('[data-testid="server"]').length > ${before}`, { message: `server ${server.label} added` });
}

/** Waits for one fleet of `nodes` nodes, all connected. */
export function waitForFleet(panel: PanelHandle, nodes: number, timeoutMs = 20_000): Promise<unknown> {
  return panel.waitFor(
    `(() => { const n = [...document.querySelectorAll('[data-testid="fleet"] [data-testid="fleet-node"]')]; return n.length === ${nodes} && n.every((x) => x.dataset.state === 'connected' && !/clientId —/.test(x.innerText)); })()`,
    { timeoutMs, message: `a fleet of ${nodes} connected nodes` },
  );
}

export interface NodeRow {
  name: string;
  state: string;
  clientId: string;
  text: string;
}

export function fleetNodes(panel: PanelHandle): Promise<NodeRow[]> {
  return panel.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="fleet-node"]')].map((node) => ({
      name: node.querySelector('strong')!.textContent!,
      state: node.dataset.state ?? '',
      clientId: node.querySelector('[data-testid="fleet-node-client-id"]')!.textContent!.replace('clientId ', ''),
      text: node.innerText.replace(/\s+/g, ' '),
    })),
  );
}

/** Runs the first fleet's fan-out check and waits for its result. */
export async function checkFanout(panel: PanelHandle, check: { className: string; where: string; write: 'create' | 'update' | 'natural' }, timeoutMs = 30_000): Promise<void> {
  await panel.evaluate(() => {
    const details = document.querySelector<HTMLDetailsElement>('[data-testid="fanout"]');
    if (details) details.open = true;
  });
  const finished = () => panel.evaluate(() => document.querySelector<HTMLElement>('[data-testid="fanout-result"]')?.dataset.finished ?? '');
  const before = await finished();
  await panel.fill(byTestId('fanout-class'), check.className);
  await panel.fill(byTestId('fanout-where'), check.where);
  await panel.evaluate((write) => {
    const select = document.querySelector<HTMLSelectElement>('[data-testid="fanout-write"]')!;
    select.value = write;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }, check.write);
  await panel.click(byTestId('fanout-run'));
  await panel.waitFor(
    `(() => { const f = document.querySelector('[data-testid="fanout-result"]')?.dataset.finished; return (!!f && f !== ${JSON.stringify(before)}) || !!document.querySelector('[data-testid="fanout-refused"]'); })()`,
    { timeoutMs, message: 'the fan-out check’s result' },
  );
  const refused = await panel.count(byTestId('fanout-refused'));
  if (refused) throw new Error(`the check was refused: ${await panel.text(byTestId('fanout-refused'))}`);
}

/** The last check's verdicts: [node, verdict] per node. */
export function verdicts(panel: PanelHandle): Promise<[string, string][]> {
  return panel.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="fanout-verdict"]')].map((v) => [v.querySelector('strong')!.textContent!, v.dataset.verdict!] as [string, string]),
  );
}

/** Objects of `className` matching `where`, read with the master key. */
export async function objectsWhere(target: RestTarget, className: string, where: Record<string, unknown>): Promise<unknown[]> {
  const answer = await request(target, 'GET', `/classes/${className}?where=${encodeURIComponent(JSON.stringify(where))}`, undefined, { useMasterKey: true });
  return answer.results as unknown[];
}

/** Disconnect, then Connect on the n-th server card: reconnects at once instead of after the back-off. */
export async function reconnectNow(panel: PanelHandle, index: number): Promise<void> {
  const card = `[data-testid="server"]:nth-of-type(${index + 1})`;
  if (await panel.count(`${card} ${byTestId('server-disconnect')}`)) await panel.click(`${card} ${byTestId('server-disconnect')}`);
  // On a loaded 2-core CI machine the entry once took longer than the default 5 s to show Connect.
  await panel.waitFor(`!!document.querySelector(${JSON.stringify(`${card} [data-testid="server-connect"]`)})`, {
    timeoutMs: 15_000,
    message: 'the Connect button',
  });
  await panel.click(`${card} ${byTestId('server-connect')}`);
}

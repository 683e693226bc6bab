import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runtime } from 'webextension-polyfill';
import { PANEL_PORT_PREFIX, type BackgroundToPanel, type PanelToBackground } from '../src/messages.js';
import { PanelRouter } from './panel-router.js';
import { Recorder } from './recorder.js';
import type { Workspace } from './workspace.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (event-loop turns, not a fixed sleep) until `done()` holds; gives up after many turns so a bug fails the test. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 2000 && !done(); turn++) await delay(5);
}

/** A port as the router sees it: messages in through `deliver`, out into `sent`. */
function fakePort(tabId: number) {
  const listeners: ((message: unknown) => void)[] = [];
  const disconnects: (() => void)[] = [];
  const sent: BackgroundToPanel[] = [];
  const port = {
    name: PANEL_PORT_PREFIX + tabId,
    onMessage: { addListener: (l: (message: unknown) => void) => listeners.push(l) },
    onDisconnect: { addListener: (l: () => void) => disconnects.push(l) },
    postMessage: (message: BackgroundToPanel) => sent.push(structuredClone(message)),
  };
  return {
    port: port as unknown as Runtime.Port,
    sent,
    deliver: (message: PanelToBackground | unknown) => listeners.forEach((l) => l(message)),
    disconnect: () => disconnects.forEach((l) => l()),
  };
}

function setup() {
  let router!: PanelRouter;
  const recorder = new Recorder('epoch-1', 7, { recordAdded: (tabId, record) => router.recordAdded(tabId, record) });
  const fake = { recorder, isActive: false, activate: () => (fake.isActive = true), serverViews: () => [], pageSockets: () => [] };
  const workspace = fake as unknown as Workspace;
  router = new PanelRouter({ workspace: async () => workspace, existing: () => workspace });
  const record = (n: number) =>
    recorder.record({ time: n, source: { type: 'server', serverId: 's' }, kind: 'received', label: 'x', summary: `r${n}` });
  return { router, recorder, record };
}

const seqs = (messages: BackgroundToPanel[]) =>
  messages.flatMap((m) => (m.type === 'welcome' ? m.backlog : m.type === 'batch' ? m.records : [])).map((r) => r.seq);

describe('PanelRouter', () => {
  it('greets with the backlog, then sends new records in batches, never one message per record', async () => {
    const { router, record } = setup();
    for (let i = 1; i <= 3; i++) record(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await delay(5);
    assert.equal(panel.sent[0]?.type, 'welcome');
    for (let i = 4; i <= 300; i++) record(i);
    await delay(60);
    assert.deepEqual(seqs(panel.sent), Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(panel.sent.length <= 4, `records are batched (${panel.sent.length} messages)`);
  });

  it('sends a big backlog in chunks, oldest first, and holds newer records until it is through', async () => {
    const { router, record } = setup();
    for (let i = 1; i <= 12_000; i++) record(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await delay(1);
    record(12_001);
    await until(() => seqs(panel.sent).length >= 12_001);
    const welcome = panel.sent[0];
    assert.ok(welcome?.type === 'welcome' && welcome.backlog.length < 12_000, 'the welcome carries only the first chunk');
    assert.deepEqual(seqs(panel.sent), Array.from({ length: 12_001 }, (_, i) => i + 1), 'every record once, in order');
  });

  it('catches a reconnected panel up from the last record it has, and ignores invalid or early messages', async () => {
    const { router, record } = setup();
    for (let i = 1; i <= 5; i++) record(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'subscribe', commandId: 'c', serverId: 's', query: { className: 'A', where: {} } });
    panel.deliver({ type: 'bogus' });
    panel.deliver({ type: 'hello', tabId: 8 });
    await delay(5);
    assert.equal(panel.sent.length, 0, 'nothing before a valid hello for this tab');
    panel.deliver({ type: 'hello', tabId: 7, after: { epoch: 'epoch-1', seq: 3 } });
    await delay(5);
    assert.deepEqual(seqs(panel.sent), [4, 5]);
  });
});

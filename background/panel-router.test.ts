import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Runtime } from 'webextension-polyfill';
import { PANEL_PORT_PREFIX, type BackgroundToPanel, type PanelToBackground } from '../src/messages.js';
import { PanelRouter } from './panel-router.js';
import type { RecordDraft } from '../src/timeline/record.js';
import { Recorder } from './recorder.js';
import { BACKLOG_PART_TIMEOUT_MS, chunkEnd, MAX_MESSAGE_CHARS } from './panel-router.js';
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
  const fake = {
    recorder,
    isActive: false,
    activate: () => (fake.isActive = true),
    serverViews: () => [],
    formerServers: () => [],
    pageSockets: () => [] as unknown[],
    record: (draft: RecordDraft) => recorder.record(draft),
  };
  const workspace = fake as unknown as Workspace;
  router = new PanelRouter({ workspace: async () => workspace, existing: () => workspace });
  const record = (n: number) =>
    recorder.record({ time: n, source: { type: 'server', serverId: 's' }, kind: 'received', label: 'x', summary: `r${n}` });
  return { router, recorder, record, fake };
}

/** A port that refuses (as Chrome does) any message whose JSON is longer than `maxChars`, or that `refuses`. */
function limitedPort(tabId: number, maxChars: number, refuses: (message: BackgroundToPanel) => boolean = () => false) {
  const panel = fakePort(tabId);
  const post = (panel.port as unknown as { postMessage: (m: BackgroundToPanel) => void }).postMessage;
  (panel.port as unknown as { postMessage: (m: BackgroundToPanel) => void }).postMessage = (message) => {
    if (JSON.stringify(message).length > maxChars) throw new Error('Message exceeded maximum allowed size of 64MB.');
    if (refuses(message)) throw new Error('Could not serialize message.');
    post(message);
  };
  return panel;
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

  it('sends a big backlog in parts, oldest first: none before the welcome is answered, then two in flight; newer records wait', async () => {
    const { router, record } = setup();
    for (let i = 1; i <= 16_000; i++) record(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await delay(1);
    record(16_001);
    const welcome = panel.sent[0];
    assert.ok(welcome?.type === 'welcome' && welcome.backlog.length < 16_000, 'the welcome carries only the first part');
    assert.equal(welcome.backlogPart, 0, 'and says more follows');
    await delay(20);
    assert.equal(panel.sent.length, 1, 'nothing more until the panel answers');
    panel.deliver({ type: 'backlogReceived', part: 5 });
    await delay(20);
    assert.equal(panel.sent.length, 1, 'an unknown part number moves nothing');
    const partsSent = () => panel.sent.flatMap((m) => (m.type === 'batch' && m.backlogPart !== undefined ? [m.backlogPart] : []));
    panel.deliver({ type: 'backlogReceived', part: 0 });
    await delay(5);
    assert.deepEqual(partsSent(), [1, 2], 'two parts in flight');
    panel.deliver({ type: 'backlogReceived', part: 1 });
    await delay(5);
    assert.deepEqual(partsSent(), [1, 2, 3], 'each answer lets one more go');
    // The backlog is bounded (BACKLOG_CAPACITY), so 16,000 records: the welcome and four parts.
    let answered = 1;
    await until(() => {
      if (answered < partsSent().length) panel.deliver({ type: 'backlogReceived', part: ++answered });
      return seqs(panel.sent).length >= 16_001;
    });
    assert.deepEqual(partsSent(), [1, 2, 3, 4], 'parts numbered in order');
    assert.deepEqual(seqs(panel.sent), Array.from({ length: 16_001 }, (_, i) => i + 1), 'every record once, in order');
  });

  it('goes on with the backlog after BACKLOG_PART_TIMEOUT_MS when the panel does not answer (a hidden panel)', async () => {
    const { router, record } = setup();
    for (let i = 1; i <= 3_000; i++) record(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await delay(BACKLOG_PART_TIMEOUT_MS / 2);
    assert.equal(panel.sent.length, 1, 'still waiting for the answer');
    await until(() => seqs(panel.sent).length >= 3_000);
    assert.deepEqual(seqs(panel.sent), Array.from({ length: 3_000 }, (_, i) => i + 1));
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

  it('splits messages by characters as well as by count', async () => {
    const { router, record, recorder } = setup();
    const big = (n: number) =>
      recorder.record({ time: n, source: { type: 'server', serverId: 's' }, kind: 'received', label: 'x', summary: `r${n}`, raw: 'y'.repeat(60_000) });
    for (let i = 1; i <= 300; i++) big(i);
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await until(() => seqs(panel.sent).length >= 300);
    for (let i = 301; i <= 400; i++) record(i);
    await until(() => seqs(panel.sent).length >= 400);
    assert.deepEqual(seqs(panel.sent), Array.from({ length: 400 }, (_, i) => i + 1), 'every record once, in order');
    for (const message of panel.sent) assert.ok(JSON.stringify(message).length < MAX_MESSAGE_CHARS * 1.1, 'each message is bounded');
    assert.ok(panel.sent.length >= 5, `${panel.sent.length} messages`);
  });

  it('a message the port refuses is split; a record it still refuses becomes a "not delivered" gap record', async () => {
    const { router, record, recorder } = setup();
    const panel = limitedPort(7, Infinity, (m) => m.type === 'batch' && m.records.some((r) => r.summary === 'poison'));
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await until(() => panel.sent.length > 0);
    for (let i = 1; i <= 10; i++) {
      if (i === 5) recorder.record({ time: i, source: { type: 'server', serverId: 's' }, kind: 'received', label: 'x', summary: 'poison' });
      else record(i);
    }
    await until(() => panel.sent.some((m) => m.type === 'batch' && m.records.some((r) => r.marker?.type === 'notDelivered')));
    const delivered = panel.sent.flatMap((m) => (m.type === 'batch' ? m.records : []));
    assert.deepEqual(
      delivered.filter((r) => !r.marker).map((r) => r.summary),
      ['r1', 'r2', 'r3', 'r4', 'r6', 'r7', 'r8', 'r9', 'r10'],
      'every other record still arrives',
    );
    const gap = delivered.find((r) => r.marker?.type === 'notDelivered')!;
    assert.deepEqual(gap.marker, { type: 'notDelivered', count: 1, seq: 5 });
    assert.equal(gap.kind, 'gap');
  });

  it('a welcome the port refuses still greets the panel, without the view it cannot carry', async () => {
    const { router, record, fake } = setup();
    record(1);
    fake.pageSockets = () => [{ id: 'deep' }];
    const panel = limitedPort(7, Infinity, (m) => m.type === 'welcome' && m.pageSockets.length > 0);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await until(() => seqs(panel.sent).length >= 2);
    const welcome = panel.sent[0];
    assert.ok(welcome?.type === 'welcome' && welcome.pageSockets.length === 0);
    const records = panel.sent.flatMap((m) => (m.type === 'batch' ? m.records : m.type === 'welcome' ? m.backlog : []));
    assert.deepEqual(records.map((r) => r.marker?.type ?? r.summary), ['r1', 'notDelivered']);
  });

  it('a panel that went away is not a delivery failure', async () => {
    const { router, record } = setup();
    const panel = fakePort(7);
    router.attach(panel.port, 7);
    panel.deliver({ type: 'hello', tabId: 7 });
    await until(() => panel.sent.length > 0);
    (panel.port as unknown as { postMessage: () => void }).postMessage = () => {
      throw new Error('Attempting to use a disconnected port object');
    };
    record(1);
    await delay(40);
    const again = fakePort(7);
    router.attach(again.port, 7);
    again.deliver({ type: 'hello', tabId: 7 });
    await until(() => again.sent.length > 0);
    const welcome = again.sent[0];
    assert.ok(welcome?.type === 'welcome');
    assert.deepEqual(welcome.backlog.map((r) => r.marker?.type ?? r.summary), ['r1']);
  });

  it('chunkEnd bounds a chunk by count and characters, with at least one record', () => {
    const { recorder } = setup();
    const records = [1, 2, 3].map((n) =>
      recorder.record({ time: n, source: { type: 'server', serverId: 's' }, kind: 'received', label: 'x', summary: `r${n}`, raw: 'z'.repeat(60_000) }),
    );
    assert.equal(chunkEnd(records, 0, 2), 2);
    assert.equal(chunkEnd(records, 2, 2), 3);
    assert.equal(chunkEnd([], 0, 2), 0);
  });
});

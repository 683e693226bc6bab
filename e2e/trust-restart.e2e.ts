// What the panel shows must be true across service-worker restarts, silent or non-LiveQuery endpoints, reconnect
// countdowns and removed servers (issue 9, items 6, 8 and 11), in real Chromium and the real DevTools.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { createObject } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, openDevToolsPanel, stopServiceWorker, waitForServiceWorkerRestart, type PanelHandle } from './harness/index.js';
import { allTimelineRows, pageSockets, RAW_CLIENT_PAGE, RAW_CLIENT_SCRIPT, waitForPageRow, waitForPageSubscriptions } from './support/page-apps.js';
import { addServer, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession(() => ({ '/lq-raw.js': RAW_CLIENT_SCRIPT, '/raw.html': RAW_CLIENT_PAGE }));
const openPanel = async (): Promise<PanelHandle> => (await session.openPanel()).panel;

/** A port nothing listens on (bound once, then released). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A WebSocket endpoint that is not LiveQuery: `echo` sends every message back, otherwise it never answers. */
async function fakeEndpoint(echo: boolean) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let connections = 0;
  wss.on('connection', (socket) => {
    connections++;
    if (echo) socket.on('message', (data) => socket.send(data.toString()));
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`,
    connections: () => connections,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

const badge = (panel: PanelHandle) => panel.text(byTestId('server-state'));

describe('connection verdicts and reconnect countdowns', () => {
  test('a refused server: each countdown names the attempt that then starts', { timeout: 60_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: `ws://127.0.0.1:${await refusedPort()}/parse`, applicationId: 'refused' });
    await waitForRow(panel, 'connection', '(attempt 3)', 20_000);
    const states = (await rowTexts(panel))
      .filter((r) => r.kind === 'connection' && /reconnecting/.test(r.text))
      .map((r) => /attempt (\d+) in/.exec(r.text)?.[1] ?? `start ${/\(attempt (\d+)\)/.exec(r.text)?.[1]}`);
    assert.deepEqual(states.slice(0, 4), ['2', 'start 2', '3', 'start 3'], 'the countdown for attempt N is followed by attempt N');
    assert.match(await badge(panel), /^(reconnecting · attempt \d+ in \d+\.\d s|reconnecting)$/);
  });

  test('an echo endpoint: "not a LiveQuery server — retrying in N s", and it keeps retrying', { timeout: 60_000 }, async () => {
    const echo = await fakeEndpoint(true);
    try {
      const panel = await openPanel();
      await addServer(panel, { serverURL: echo.url, applicationId: 'echo' });
      await panel.waitFor(
        `document.querySelector('[data-testid="server-state"]')?.dataset.verdict === 'notLiveQuery' && /retrying in \\d+\\.\\d s/.test(document.querySelector('[data-testid="server-state"]').innerText)`,
        { timeoutMs: 8_000, message: 'the verdict with its countdown, well before the watchdog' },
      );
      assert.match(await badge(panel), /^not a LiveQuery server — retrying in \d+\.\d s \(attempt 2\)$/);
      assert.match(await panel.text(byTestId('server-error')), /does not look like a LiveQuery server/);
      const deadline = Date.now() + 20_000;
      while (echo.connections() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.ok(echo.connections() >= 3, `it retried (${echo.connections()} connections)`);
    } finally {
      await echo.close();
    }
  });

  test('a silent endpoint: "no answer — retrying in N s" within the watchdog time, then a retry', { timeout: 60_000 }, async () => {
    const silent = await fakeEndpoint(false);
    try {
      const panel = await openPanel();
      await addServer(panel, { serverURL: silent.url, applicationId: 'silent' });
      await waitForServerState(panel, 'connecting');
      // The watchdog waits 10 s for `connected`.
      await panel.waitFor(`document.querySelector('[data-testid="server-state"]')?.dataset.verdict === 'noAnswer'`, {
        timeoutMs: 14_000,
        message: 'a verdict within the watchdog time',
      });
      assert.match(await badge(panel), /^no answer — retrying (in \d+\.\d s )?\(attempt 2\)$/);
      assert.match(await panel.text(byTestId('server-error')), /No "connected" reply within 10 s/);
      await waitForRow(panel, 'error', 'No "connected" reply');
      const deadline = Date.now() + 5_000;
      while (silent.connections() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.equal(silent.connections(), 2, 'a second attempt after the back-off');
    } finally {
      await silent.close();
    }
  });
});

/** The clock column (HH:MM:SS.mmm) of every row, in the order shown. */
const rowTimes = (rows: { text: string }[]) => rows.map((r) => /\d\d:\d\d:\d\d\.\d{3}/.exec(r.text)?.[0] ?? '');

function assertInTimeOrder(rows: { text: string }[]): void {
  const times = rowTimes(rows);
  const late = times.findIndex((t, i) => i > 0 && t < times[i - 1]!);
  assert.equal(late, -1, `rows in time order (row ${late}: ${rows[late]?.text} after ${rows[late - 1]?.text})`);
}

const createCount = (counts: string) => Number(/c(\d+)/.exec(counts)?.[1]);

describe('a service-worker restart (embedded server)', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('the panel’s own subscription: a gap is marked, counters match the rows, rows stay in time order', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Item', where: '{"kind":"restart-own"}' });
    await waitForSubscriptionState(panel, 'subscribed');
    const first = await createObject(embedded, 'Item', { kind: 'restart-own' });
    await waitForRow(panel, 'create', first.objectId);

    await stopServiceWorker(session.harness);
    // Made while the worker is down or restarting: LiveQuery never replays it, so the panel must say it may be missing.
    await createObject(embedded, 'Item', { kind: 'restart-own' });
    await waitForServiceWorkerRestart(session.harness, { timeoutMs: 20_000 });
    await waitForRow(panel, 'gap', 'the extension restarted', 20_000);
    await waitForSubscriptionState(panel, 'subscribed', 0, 20_000);
    const after = await createObject(embedded, 'Item', { kind: 'restart-own' });
    await waitForRow(panel, 'create', after.objectId);

    const rows = await allTimelineRows(panel);
    const gap = rows.find((r) => r.kind === 'gap' && r.text.includes('the extension restarted'))!;
    assert.match(gap.text, /events between .* may have been missed/);
    const creates = rows.filter((r) => r.kind === 'create').length;
    // Views and records arrive in the same batches; give the last render a moment, then read.
    await panel
      .waitFor(`/c${creates} /.test(document.querySelector('[data-testid="subscription-counts"]').innerText)`, { timeoutMs: 3_000 })
      .catch(() => undefined);
    assert.equal(createCount(await panel.text(byTestId('subscription-counts'))), creates, 'the create counter matches the create rows shown');
    assertInTimeOrder(rows);
    assert.deepEqual(panel.errors, []);
  });

  test('the page’s own subscription: a gap on it, its counter matches its rows, rows in time order', { timeout: 90_000 }, async () => {
    const url = session.pages.url(
      `/raw.html?${new URLSearchParams({
        lq: embedded.liveQueryURL,
        app: embedded.applicationId,
        js: embedded.javascriptKey,
        className: 'Note',
        where: JSON.stringify({ kind: 'restart-page' }),
      })}`,
    );
    const { page, panel } = await session.openPanel(url);
    await page.waitForFunction('window.__appReady || window.__appError');
    await waitForPageSubscriptions(panel, 1);
    const first = await createObject(embedded, 'Note', { kind: 'restart-page' });
    await waitForPageRow(panel, 'create', first.objectId);

    await stopServiceWorker(session.harness);
    const during = await createObject(embedded, 'Note', { kind: 'restart-page' });
    await page.waitForFunction(
      (id: string) => (window as unknown as { __rawSocket: { events: { object?: { objectId?: string } }[] } }).__rawSocket.events.some((e) => e.object?.objectId === id),
      during.objectId,
    );
    await waitForServiceWorkerRestart(session.harness, { timeoutMs: 20_000 });
    await waitForPageRow(panel, 'gap', 'the extension restarted', 20_000);
    const after = await createObject(embedded, 'Note', { kind: 'restart-page' });
    await waitForPageRow(panel, 'create', after.objectId);

    const rows = await allTimelineRows(panel);
    const pageCreates = rows.filter((r) => r.kind === 'create' && r.fromPage).length;
    const sockets = await pageSockets(panel);
    const counts = sockets.flatMap((s) => s.subscriptions).map((s) => s.counts);
    assert.equal(counts.length, 1, `one page subscription: ${JSON.stringify(sockets)}`);
    assert.equal(createCount(counts[0]!), pageCreates, `the page counter (${counts[0]}) matches its create rows (${pageCreates})`);
    assertInTimeOrder(rows);
    assert.deepEqual(panel.errors, []);
  });
});

describe('servers configured once for every tab (embedded server)', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('added in one tab’s panel, shown and connected in another’s at once; subscriptions stay per tab; removed everywhere, its rows keep its name', { timeout: 90_000 }, async () => {
    const { panel: first } = await session.openPanel();
    const other = await session.harness.newPage(session.pages.url());
    const second = await openDevToolsPanel(session.harness, other);
    assert.equal(await second.count(byTestId('server')), 0);

    await addServer(first, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(second, 'connected');
    await waitForServerState(first, 'connected');
    await subscribe(second, { className: 'Item', where: '{"kind":"shared"}' });
    await waitForSubscriptionState(second, 'subscribed');
    assert.equal(await first.count(byTestId('subscription')), 0, 'subscriptions stay in their tab');
    const item = await createObject(embedded, 'Item', { kind: 'shared' });
    await waitForRow(second, 'create', item.objectId);
    const host = new URL(embedded.liveQueryURL).host;
    const named = (await rowTexts(second)).filter((r) => r.kind === 'create');
    assert.ok(named[0]!.text.includes(host), `the row names the server: ${named[0]!.text}`);

    await first.click(byTestId('server-remove'));
    await second.waitFor(`document.querySelectorAll('[data-testid="server"]').length === 0`, { message: 'removed in the other tab too' });
    const rows = await allTimelineRows(second);
    assert.ok(rows.some((r) => r.kind === 'create' && r.text.includes(host)), 'its past rows keep its name');
    assert.ok(!rows.some((r) => r.text.includes('removed server')), `no row says "removed server": ${JSON.stringify(rows.filter((r) => r.text.includes('removed server')))}`);
    assert.deepEqual(first.errors, []);
    assert.deepEqual(second.errors, []);
  });
});


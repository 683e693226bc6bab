// Memory and message budgets end to end: a page whose LiveQuery socket receives 1 MB frames, recorded by the real
// DevTools panel, must leave the service worker's heap bounded, and a panel opened afterwards must load.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebSocketServer, type WebSocket as NodeSocket } from 'ws';
import { byTestId, openDevToolsPanel, poll, type Harness } from './harness/index.js';
import { inPage } from './support/page-apps.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession();

const FRAMES = 150;
const FRAME_CHARS = 1_000_000;

/** A LiveQuery server that answers connect and subscribe, then sends `FRAMES` creates of about 1 MB each. */
async function floodingServer(): Promise<{ url: string; sent: () => number; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  let sent = 0;
  const blob = 'b'.repeat(FRAME_CHARS);
  const flood = async (socket: NodeSocket, requestId: number) => {
    for (let i = 0; i < FRAMES && socket.readyState === socket.OPEN; i++) {
      const frame = JSON.stringify({ op: 'create', clientId: 'flood', requestId, object: { className: 'Blob', objectId: `b${i}`, blob } });
      await new Promise<void>((resolve, reject) => socket.send(frame, (error) => (error ? reject(error) : resolve())));
      sent++;
    }
  };
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { op: string; requestId?: number };
      if (message.op === 'connect') socket.send(JSON.stringify({ op: 'connected', clientId: 'flood' }));
      if (message.op === 'subscribe') {
        socket.send(JSON.stringify({ op: 'subscribed', clientId: 'flood', requestId: message.requestId }));
        void flood(socket, message.requestId!).catch(() => undefined);
      }
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    sent: () => sent,
    close: () => {
      for (const client of server.clients) client.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The service worker's live JS heap after a full garbage collection, in bytes. */
async function serviceWorkerHeap(harness: Harness): Promise<number> {
  const cdp = await harness.cdp();
  const { targetInfos } = await cdp.browserSession.send('Target.getTargets');
  const worker = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(harness.extensionUrl('')));
  assert.ok(worker, 'the service worker runs');
  const target = await cdp.attach(worker.targetId);
  await target.send('HeapProfiler.collectGarbage', {});
  return (await target.send('Runtime.getHeapUsage', {})).usedSize;
}

describe('budgets', () => {
  test('a page receiving 1 MB frames: the worker keeps a bounded heap, frames are cut and say so, a new panel loads', { timeout: 180_000 }, async (t) => {
    const server = await floodingServer();
    try {
      const { page, panel } = await session.openPanel();
      await inPage(
        page,
        (url: string) => {
          const socket = new WebSocket(url);
          (window as unknown as { received: number }).received = 0;
          socket.onopen = () => {
            socket.send(JSON.stringify({ op: 'connect', applicationId: 'flood-app' }));
            socket.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Blob', where: {} } }));
          };
          socket.onmessage = () => (window as unknown as { received: number }).received++;
        },
        server.url,
      );
      await page.waitForFunction((n) => (window as unknown as { received: number }).received >= n, FRAMES + 2, { timeout: 150_000, polling: 500 });
      // The panel shows the last create, cut, and says how long the frame was.
      await panel.waitFor(() => [...document.querySelectorAll('[data-testid="timeline-row"]')].some((row) => row.textContent?.includes('b149')), { timeoutMs: 60_000 });
      const heap = await serviceWorkerHeap(session.harness);
      // 150 frames of 1 MB kept whole would hold ≥ 150 MB; the budget keeps 24 M characters at most.
      assert.ok(heap < 80 * 1024 * 1024, `service worker heap ${(heap / 1048576).toFixed(1)} MB`);
      t.diagnostic(`service worker heap after ${FRAMES} frames of 1 MB: ${(heap / 1048576).toFixed(1)} MB`);

      await panel.evaluate(() => {
        const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"]')];
        rows.find((row) => row.textContent?.includes('b149'))?.setAttribute('data-e2e', 'last-create');
      });
      await panel.click('[data-e2e="last-create"]');
      await panel.waitFor(() => document.querySelector('[data-testid="detail-cut"]') !== null, { timeoutMs: 10_000 });
      const cut = await panel.text(byTestId('detail-cut'));
      assert.match(cut, /the first 65,536 of 1,0\d\d,\d{3} characters were kept/);

      // A panel opened now gets the bounded backlog and is usable.
      await panel.close();
      const again = await openDevToolsPanel(session.harness, page);
      await again.waitFor(() => [...document.querySelectorAll('[data-testid="timeline-row"]')].some((row) => row.textContent?.includes('b149')), { timeoutMs: 30_000 });
      const { frontendMs, panelMs, readyMs } = again.timings;
      t.diagnostic(`panel reopened after the flood: DevTools frontend ${frontendMs} ms, panel attached ${panelMs} ms, panel ready ${readyMs} ms`);
      const counts = await again.text(byTestId('record-counts'));
      assert.match(counts, /\d/);
      assert.deepEqual(again.errors, []);
      await poll(async () => server.sent() === FRAMES, { timeoutMs: 5_000 });
    } finally {
      await server.close();
    }
  });
});

// Simulates MV3 service-worker termination and waits for the worker to come back, without ever hanging.
// While the worker is stopped, Playwright's Worker handle stays open and its evaluate() hangs until a restart.
import type { Worker } from 'playwright-core';
import type { Harness } from './browser.js';
import { poll, withTimeout } from './wait.js';

async function extensionWorkerTargets(harness: Harness): Promise<string[]> {
  const { browserSession } = await harness.cdp();
  const { targetInfos } = await browserSession.send('Target.getTargets');
  const origin = harness.extensionUrl('');
  return targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(origin)).map((t) => t.targetId);
}

/** True while the extension's service worker runs (it has a CDP target). */
export async function isServiceWorkerRunning(harness: Harness): Promise<boolean> {
  return (await extensionWorkerTargets(harness)).length > 0;
}

/**
 * Stops every service worker (ServiceWorker.stopAllWorkers, as Chrome does on idle) and waits until the extension's
 * worker target is gone. Ports to it disconnect; the next event (a panel reconnecting, a message) starts it again.
 */
export async function stopServiceWorker(harness: Harness, options: { timeoutMs?: number } = {}): Promise<void> {
  // The ServiceWorker domain lives on page targets, not on the browser target: borrow any page.
  const existing = harness.context.pages()[0];
  const page = existing ?? (await harness.context.newPage());
  const session = await harness.context.newCDPSession(page);
  // An open panel reconnects its port at once, which can start the worker again before a poll sees its target gone:
  // the ServiceWorker domain's own "stopped" report for the extension's worker counts as well.
  const origin = harness.extensionUrl('');
  const seenRunning = new Set<string>();
  let stopReported = false;
  session.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) {
      if (!version.scriptURL.startsWith(origin)) continue;
      if (version.runningStatus !== 'stopped') seenRunning.add(version.versionId);
      else if (seenRunning.has(version.versionId)) stopReported = true;
    }
  });
  try {
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
    // A stop that reaches a worker still starting up (a fresh profile installing the extension) can be missed:
    // ask again each second until it is reported stopped or its target is gone.
    let asked = Date.now();
    await poll(
      async () => {
        if (stopReported || !(await isServiceWorkerRunning(harness))) return true;
        if (Date.now() - asked >= 1_000) {
          asked = Date.now();
          await session.send('ServiceWorker.stopAllWorkers');
        }
        return false;
      },
      { timeoutMs: options.timeoutMs ?? 5_000, message: 'service worker stopped' },
    );
  } finally {
    await session.detach().catch(() => undefined);
    if (!existing) await page.close().catch(() => undefined);
  }
}

/**
 * Waits until the extension's service worker runs again and answers an evaluate; returns its Worker handle.
 * Every wait is raced against the deadline (default 10 s), so this throws rather than hangs.
 */
export async function waitForServiceWorkerRestart(harness: Harness, options: { timeoutMs?: number } = {}): Promise<Worker> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  await poll(() => isServiceWorkerRunning(harness), { timeoutMs, message: 'service worker restarted (its target back)' });
  return poll(
    async () => {
      const left = Math.max(100, deadline - Date.now());
      const worker = await harness.serviceWorker({ timeoutMs: left });
      await withTimeout(worker.evaluate(() => true), Math.min(1_000, left), 'restarted service worker evaluate');
      return worker;
    },
    { timeoutMs: Math.max(100, deadline - Date.now()), message: 'service worker answering after restart' },
  );
}

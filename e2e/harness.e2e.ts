// Smoke test of the e2e harness itself, on a throwaway extension with the same contract as dist/chrome (and on the
// real extension once its sources exist): real DevTools, the LiveQuery panel, input, screenshots, worker restarts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  byTestId,
  ensureExtensionBuilt,
  isServiceWorkerRunning,
  launchBrowser,
  openDevToolsPanel,
  openPanelTab,
  ROOT,
  stopServiceWorker,
  TimeoutError,
  waitForServiceWorkerRestart,
  writeFixtureExtension,
  type Harness,
} from './harness/index.js';

interface FixtureGlobal {
  fixture: { instance: string; ports: number };
}

let server: Server;
let pageUrl: string;

before(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>inspected page</title><h1>inspected</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('harness on the fixture extension', () => {
  let extensionDir: string;
  let harness: Harness | undefined;

  before(() => {
    extensionDir = writeFixtureExtension(mkdtempSync(join(tmpdir(), 'lq-fixture-ext-')));
  });
  after(async () => {
    await harness?.close();
    rmSync(extensionDir, { recursive: true, force: true });
  });

  test('real DevTools panel: read, click, fill, type, press, screenshot, worker restart, close', { timeout: 90_000 }, async (t) => {
    const testStarted = Date.now();
    harness = await launchBrowser({ extensionPath: extensionDir });
    const page = await harness.newPage(pageUrl);

    const panel = await openDevToolsPanel(harness, page);
    assert.equal(panel.panelId, `chrome-extension://${harness.extensionId}LiveQuery`);
    assert.equal(panel.tabId, await harness.tabIdOf(page));
    assert.equal(await panel.text(byTestId('status')), 'connected');
    assert.equal(await panel.text(byTestId('tab-id')), String(panel.tabId));
    assert.equal(await panel.evaluate(() => document.title), 'LiveQuery (fixture)');
    assert.equal(await panel.evaluate((n: number) => n * 2, 21), 42);
    // The real chrome.devtools API is there: inspectedWindow.eval reaches the inspected page.
    const inspectedTitle = await panel.evaluate<string>(
      'new Promise((resolve, reject) => chrome.devtools.inspectedWindow.eval("document.title", (value, error) => error ? reject(new Error(JSON.stringify(error))) : resolve(value)))',
    );
    assert.equal(inspectedTitle, 'inspected page');

    await panel.click(byTestId('ping'));
    assert.equal(await panel.waitFor(() => document.querySelector('[data-testid="pong"]')?.textContent === 'pong #1'), true);
    await panel.click(byTestId('ping'), { dom: true });
    await panel.waitFor(`document.querySelectorAll('[data-testid="items"] li').length === 2`);
    assert.equal(await panel.count(`${byTestId('items')} li`), 2);
    assert.deepEqual(await panel.texts(`${byTestId('items')} li`), ['pong 1', 'pong 2']);

    await panel.fill(byTestId('query'), 'GameScore');
    assert.equal(await panel.text(byTestId('echo')), 'GameScore');
    await panel.fill(byTestId('kind'), 'b');
    assert.equal(await panel.text(byTestId('echo')), 'kind=b');
    await panel.type(byTestId('query'), '!');
    assert.equal(await panel.text(byTestId('echo')), 'GameScore!');
    await panel.press(byTestId('query'), 'Enter');
    await panel.waitFor(`document.querySelector('[data-testid="submitted"]').textContent === 'GameScore!'`);
    await panel.press(byTestId('query'), 'Backspace');
    assert.equal(await panel.text(byTestId('echo')), 'GameScore');

    await assert.rejects(panel.click(byTestId('missing'), { timeoutMs: 300 }), /no element matches/);
    await assert.rejects(panel.fill(byTestId('ping'), 'x', { timeoutMs: 300 }), /not an input/);

    const shot = await panel.screenshot('harness/devtools-panel.png');
    assert.ok(statSync(shot).size > 5_000, 'screenshot has content');

    // Service worker: stop it, the panel's port drops, the panel reconnects, which starts a new worker.
    const instanceBefore = await panel.text(byTestId('instance'));
    assert.equal(await harness.evaluateInServiceWorker(() => (globalThis as unknown as FixtureGlobal).fixture.instance), instanceBefore);
    const stopStarted = Date.now();
    await stopServiceWorker(harness);
    const worker = await waitForServiceWorkerRestart(harness);
    const restartMs = Date.now() - stopStarted;
    const instanceAfter = await panel.waitFor(() => {
      const instance = document.querySelector('[data-testid="instance"]')?.textContent;
      return document.body.dataset.ready === 'true' && instance ? instance : '';
    });
    assert.notEqual(instanceAfter, instanceBefore);
    assert.equal(await worker.evaluate(() => (globalThis as unknown as FixtureGlobal).fixture.instance), instanceAfter);
    await panel.click(byTestId('ping'));
    await panel.waitFor(`document.querySelector('[data-testid="pong"]').textContent === 'pong #1'`);

    // onHidden/onShown-style switching, then closing DevTools disconnects the panel's port.
    await panel.selectPanel('elements');
    await panel.selectPanel(panel.panelId);
    await panel.close();
    const ports = async (): Promise<number> => harness!.evaluateInServiceWorker(() => (globalThis as unknown as FixtureGlobal).fixture.ports);
    for (let i = 0; i < 40 && (await ports()) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await ports(), 0);
    assert.deepEqual(panel.errors, []);

    const profile = harness.userDataDir;
    const closeStarted = Date.now();
    await harness.close();
    assert.equal(existsSync(profile), false, 'profile removed');
    t.diagnostic(
      `launch ${harness.timings.launchMs} ms; devtools+panel ${panel.timings.totalMs} ms (frontend ${panel.timings.frontendMs}, ` +
        `panel ${panel.timings.panelMs}, ready ${panel.timings.readyMs}); worker stop+restart ${restartMs} ms; ` +
        `close ${Date.now() - closeStarted} ms; test ${Date.now() - testStarted} ms`,
    );
    harness = undefined;
  });

  test('fallback: panel.html in a tab with ?tabId=, and a stopped worker never hangs', { timeout: 60_000 }, async (t) => {
    const testStarted = Date.now();
    harness = await launchBrowser({ extensionPath: extensionDir });
    const inspected = await harness.newPage(pageUrl);
    const tabId = await harness.tabIdOf(inspected);
    const tab = await openPanelTab(harness, inspected);
    await tab.getByTestId('tab-id').filter({ hasText: String(tabId) }).waitFor();
    await tab.getByTestId('ping').click();
    await tab.getByTestId('pong').filter({ hasText: 'pong #1' }).waitFor();

    // The tab goes first: its page reconnects 100 ms after a disconnect, which on a slow machine can wake the worker
    // again before a later close.
    await tab.close();
    await stopServiceWorker(harness);
    assert.equal(await isServiceWorkerRunning(harness), false);
    await assert.rejects(harness.evaluateInServiceWorker(() => 1, undefined, { timeoutMs: 500 }), TimeoutError);
    await assert.rejects(waitForServiceWorkerRestart(harness, { timeoutMs: 500 }), TimeoutError);

    const again = await openPanelTab(harness, inspected, { tabId }); // its port wakes the worker
    await waitForServiceWorkerRestart(harness);
    await again.getByTestId('ping').click();
    await again.getByTestId('pong').filter({ hasText: 'pong #1' }).waitFor();
    await harness.close();
    t.diagnostic(`launch ${harness.timings.launchMs} ms; test ${Date.now() - testStarted} ms`);
    harness = undefined;
  });
});

// The real extension: its sources must exist and build (through scripts/build.ts); a missing source or a failed
// build fails this test, it never skips.
const REAL_SOURCES = ['background/index.ts', 'panel/panel.tsx', 'panel/devtools.ts', 'panel/panel.html'];

describe('harness on the real extension (dist/chrome)', () => {
  let harness: Harness | undefined;
  after(async () => harness?.close());

  test('LiveQuery panel opens in the real DevTools, gets ready, survives a worker restart, without errors', { timeout: 240_000 }, async (t) => {
    assert.deepEqual(REAL_SOURCES.filter((f) => !existsSync(join(ROOT, f))), [], 'the extension sources are there');
    ensureExtensionBuilt();
    harness = await launchBrowser();
    const page = await harness.newPage(pageUrl);
    const panel = await openDevToolsPanel(harness, page);
    assert.equal(panel.tabId, await harness.tabIdOf(page));
    await panel.screenshot('harness/real-devtools-panel.png');
    await stopServiceWorker(harness);
    await waitForServiceWorkerRestart(harness, { timeoutMs: 15_000 });
    await panel.waitForReady({ timeoutMs: 15_000 });
    assert.deepEqual(panel.errors, [], 'the panel logs no error and throws nothing');
    await panel.close();
    t.diagnostic(`launch ${harness.timings.launchMs} ms; devtools+panel ${panel.timings.totalMs} ms`);
    await harness.close();
    harness = undefined;
  });
});

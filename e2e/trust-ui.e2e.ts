// Trusting what the panel shows, in the real DevTools: shortcuts that leave text fields alone and a Clear that can be
// undone, a usable panel in a 400 px wide DevTools, the first run of `npm start`, and small things that misled.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDemoServer } from '../scripts/demo-server.js';
import { createWelcomeMessage, devDefaults, writeDevDefaults } from '../scripts/first-run.js';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { createObject } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, ensureExtensionBuilt, launchBrowser, openDevToolsPanel, type PanelHandle } from './harness/index.js';
import { RAW_CLIENT_PAGE, RAW_CLIENT_SCRIPT, waitForPageRow, waitForPageSubscriptions } from './support/page-apps.js';
import { addServer, resizeDevTools, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession(() => ({ '/lq-raw.js': RAW_CLIENT_SCRIPT, '/raw.html': RAW_CLIENT_PAGE }));

const recordCount = (panel: PanelHandle) => panel.evaluate<number>(`Number(document.querySelector('[data-testid="timeline-viewport"]').getAttribute('aria-rowcount'))`);
const isRecording = (panel: PanelHandle) => panel.evaluate<boolean>(`document.querySelector('[data-testid="record"]').getAttribute('aria-pressed') === 'true'`);
const valueOf = (panel: PanelHandle, selector: string) => panel.evaluate<string>(`document.querySelector(${JSON.stringify(selector)}).value`);


interface LayoutProblems {
  width: number;
  problems: string[];
}

/**
 * What a user could not reach or read at this size: toolbar controls outside the viewport or covered, timeline
 * columns missing or too narrow, Kind labels cut, a detail pane outside the viewport.
 */
function layoutProblems(panel: PanelHandle): Promise<LayoutProblems> {
  return panel.evaluate(() => {
    const problems: string[] = [];
    const inside = (r: DOMRect) => r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
    const name = (el: Element) => (el.getAttribute('data-testid') ?? el.getAttribute('title') ?? el.textContent ?? el.tagName).trim().slice(0, 30);
    for (const el of document.querySelectorAll<HTMLElement>('[role="toolbar"] button, [role="toolbar"] input:not([type="file"]), [role="toolbar"] select, [role="toolbar"] summary')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) {
        problems.push(`toolbar control ${name(el)} is not shown`);
        continue;
      }
      if (!inside(r)) {
        problems.push(`toolbar control ${name(el)} is outside the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${innerWidth})`);
        continue;
      }
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !(el === hit || el.contains(hit) || hit.contains(el) || el.closest('label')?.contains(hit))) problems.push(`toolbar control ${name(el)} is covered`);
    }
    const header = document.querySelector('.timeline-header');
    for (const column of ['Time', 'Kind', 'Source', 'Summary']) {
      const cell = [...(header?.children ?? [])].find((c) => (c as HTMLElement).innerText.trim().startsWith(column)) as HTMLElement | undefined;
      const r = cell?.getBoundingClientRect();
      if (!cell || !r || r.width < 40) problems.push(`column ${column} is not visible (${r ? Math.round(r.width) : 0} px)`);
      else if (!inside(r)) problems.push(`column ${column} is outside the viewport (${Math.round(r.left)}..${Math.round(r.right)})`);
    }
    for (const cell of document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"] .kind, [data-testid="timeline-row"] > :first-child')) {
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`"${cell.innerText}" is cut (${cell.scrollWidth} > ${cell.clientWidth})`);
    }
    const detail = document.querySelector('[data-testid="detail"]');
    if (detail) {
      const r = detail.getBoundingClientRect();
      if (!inside(r) || r.width < 200 || r.height < 120) problems.push(`the detail pane is not within the viewport (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)})`);
    }
    if (document.documentElement.scrollWidth > innerWidth + 1) problems.push(`the panel scrolls sideways (${document.documentElement.scrollWidth} px)`);
    return { width: innerWidth, problems };
  });
}

describe('against the embedded server', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  /** A panel with the embedded server, a Game subscription and `creates` create rows. */
  async function panelWithEvents(creates: number): Promise<PanelHandle> {
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Game' });
    await waitForSubscriptionState(panel, 'subscribed');
    for (let i = 0; i < creates; i++) {
      const game = await createObject(embedded, 'Game', { name: `g${i}`, score: i });
      await waitForRow(panel, 'create', game.objectId);
    }
    return panel;
  }

  test('Ctrl+K, Ctrl+E, Cmd+K, / and the arrows edit text in fields; outside them Ctrl+K clears and Undo restores', { timeout: 90_000 }, async () => {
    const panel = await panelWithEvents(2);
    const before = await rowTexts(panel);
    const count = await recordCount(panel);
    assert.ok(count >= 4, `records to clear (${count})`);

    await panel.click(`${byTestId('timeline-row')}[data-kind="create"]`);
    const selectedRow = () => panel.evaluate<string>(`document.querySelector('[data-testid="timeline-row"][aria-selected="true"]')?.innerText ?? ''`);
    const selected = await selectedRow();
    const where = byTestId('subscribe-where');
    await panel.fill(where, '{"score": 1}');
    for (const key of ['Control+k', 'Control+e', 'Meta+k', 'Meta+e', 'ArrowUp', 'ArrowDown', 'Home']) await panel.press(where, key);
    await panel.press(where, '/');
    await panel.press(byTestId('filter-text'), 'Control+k');
    await panel.press(byTestId('filter-text'), 'Control+e');
    await panel.press(byTestId('filter-text'), '/');
    assert.equal(await isRecording(panel), true, 'recording not toggled from a text field');
    assert.ok((await valueOf(panel, where)).includes('/'), '/ typed into the where box');
    assert.equal(await valueOf(panel, byTestId('filter-text')), '/', '/ typed into the filter box');
    await panel.fill(byTestId('filter-text'), '');
    assert.equal(await recordCount(panel), count, 'nothing cleared from a text field');
    assert.equal(await selectedRow(), selected, 'the arrows moved the caret, not the selection');

    // Outside text fields the shortcuts work: Ctrl+K clears, and the bar offers the records back.
    await panel.press(byTestId('timeline-viewport'), 'Control+k');
    await panel.waitFor(`!!document.querySelector('[data-testid="timeline-empty"]')`);
    assert.match(await panel.text(byTestId('undo-clear-bar')), new RegExp(`Cleared ${count} records`));
    // A record that arrives after the Clear stays, after the restored ones.
    const later = await createObject(embedded, 'Game', { name: 'later', score: 99 });
    await waitForRow(panel, 'create', later.objectId);
    await panel.press(byTestId('undo-clear'), 'Enter');
    await panel.waitFor(`!document.querySelector('[data-testid="undo-clear-bar"]')`);
    const restored = await rowTexts(panel);
    assert.deepEqual(restored.slice(0, before.length), before, 'exactly the cleared records, in order');
    assert.ok(restored.slice(before.length).some((r) => r.text.includes(later.objectId)), 'then the later record');

    // Ctrl+E outside a field still toggles recording, Ctrl+Z undoes a Clear from the keyboard.
    await panel.press(byTestId('timeline-viewport'), 'Control+e');
    assert.equal(await isRecording(panel), false);
    await panel.press(byTestId('timeline-viewport'), 'Control+e');
    await panel.press(byTestId('timeline-viewport'), 'Control+k');
    await panel.waitFor(`!!document.querySelector('[data-testid="undo-clear-bar"]')`);
    await panel.press(byTestId('timeline-viewport'), 'Control+z');
    await panel.waitFor(`!document.querySelector('[data-testid="timeline-empty"]')`);
    assert.deepEqual((await rowTexts(panel)).slice(0, before.length), before);
    assert.deepEqual(panel.errors, []);
  });

  for (const width of [400, 1400]) {
    test(`at ${width} px every toolbar control is reachable, the columns Time/Kind/Source/Summary show, Kind labels are whole, the detail fits`, { timeout: 90_000 }, async () => {
      const panel = await panelWithEvents(1);
      // Long Kind labels: a subscription sent and ended ("↑ unsubscribe", "↓ unsubscribed").
      await subscribe(panel, { className: 'Note' });
      await waitForSubscriptionState(panel, 'subscribed', 1);
      await panel.click(`${byTestId('subscription')}:nth-child(2) ${byTestId('unsubscribe')}`);
      await waitForRow(panel, 'received', 'unsubscribed');
      await resizeDevTools(session.harness, panel, width);
      await panel.screenshot(`trust-ui/${width}-timeline.png`);
      await panel.click(`${byTestId('timeline-row')}[data-kind="create"]`);
      await panel.waitFor(`!!document.querySelector('[data-testid="detail"]')`);
      await panel.screenshot(`trust-ui/${width}-detail.png`);
      const layout = await layoutProblems(panel);
      assert.deepEqual(layout.problems, [], `at ${layout.width} px`);

      // The sidebar folds away and comes back; a column is resized from the keyboard.
      const box = (selector: string) => panel.evaluate<{ width: number; height: number }>(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { width: r.width, height: r.height }; })()`);
      const timelineBefore = await box(byTestId('timeline'));
      await panel.click(byTestId('toggle-sidebar'));
      await panel.waitFor(`document.querySelector('[data-testid="sidebar"]').hidden`);
      const timelineAfter = await box(byTestId('timeline'));
      assert.ok(timelineAfter.width * timelineAfter.height > timelineBefore.width * timelineBefore.height, 'the timeline takes the room');
      await panel.click(byTestId('toggle-sidebar'));
      await panel.waitFor(`!document.querySelector('[data-testid="sidebar"]').hidden`);
      const kindBefore = (await box(`.timeline-header [data-column="kind"]`)).width;
      await panel.press(byTestId('resize-kind'), 'ArrowRight');
      await panel.waitFor(`document.querySelector('.timeline-header [data-column="kind"]').getBoundingClientRect().width > ${kindBefore + 10}`);
      assert.deepEqual(panel.errors, []);
    });
  }

  test('first run of npm start: the demo server and a Message subscription are added, a live create shows on the first screen, once only', { timeout: 120_000 }, async () => {
    const server = { liveQueryURL: embedded.liveQueryURL, restURL: embedded.restURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey };
    const demo = await startDemoServer({ serverURL: server.restURL, liveQueryServerURL: server.liveQueryURL, applicationId: server.applicationId, javascriptKey: server.javascriptKey });
    // A copy of the extension with the dev-defaults.json `npm start` writes.
    const extensionDir = mkdtempSync(join(tmpdir(), 'lq-first-run-'));
    cpSync(ensureExtensionBuilt(), extensionDir, { recursive: true });
    writeDevDefaults(extensionDir, devDefaults(server, true));
    const harness = await launchBrowser({ extensionPath: extensionDir });
    try {
      const page = await harness.newPage();
      const pageErrors: string[] = [];
      page.on('console', (message) => void (message.type() === 'error' && pageErrors.push(message.text())));
      page.on('pageerror', (error) => void pageErrors.push(error.message));
      await page.goto(demo.url);
      const panel = await openDevToolsPanel(harness, page, { dock: 'bottom' });
      const objectId = await createWelcomeMessage(panel, server);
      await panel.screenshot('trust-ui/first-run.png');
      assert.equal(await panel.count(byTestId('server')), 1);
      assert.match(await panel.text(byTestId('server')), /demo \(embedded\)/);
      assert.equal(await panel.count(`${byTestId('subscription')}[data-state="subscribed"]`), 1);
      const onScreen = await panel.evaluate<boolean, string>(
        (id: string) => {
          const row = [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"][data-kind="create"]')].find((r) => r.innerText.includes(id));
          const box = row?.getBoundingClientRect();
          return !!box && box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth;
        },
        objectId,
      );
      assert.ok(onScreen, 'the live create is on the first screen, no scrolling');
      await waitForPageRow(panel, 'create', objectId);
      // DevTools itself asks every page for its workspace file; a 404 there is its "no workspace", not a page error.
      const missing = demo.notFound.filter((path) => path !== '/.well-known/appspecific/com.chrome.devtools.json');
      assert.deepEqual(missing, [], 'the demo server answered every request of the page (favicon included)');
      assert.deepEqual(pageErrors, [], 'no error in the demo page’s console');

      // The user removes the demo server; DevTools opened again (the next start of the panel) does not bring it back.
      await panel.click(byTestId('server-remove'));
      await panel.waitFor(`document.querySelectorAll('[data-testid="server"]').length === 0`);
      await panel.close();
      const again = await openDevToolsPanel(harness, page, { dock: 'bottom' });
      // A page event after the panel's welcome: had the first run added the server again, it would be listed by now.
      const later = await createObject(embedded, 'Message', { text: 'after reopening', likes: 0 });
      await waitForPageRow(again, 'create', later.objectId);
      assert.equal(await again.count(byTestId('server')), 0, 'the removed demo server stays removed');
      assert.deepEqual([...panel.errors, ...again.errors], []);
    } finally {
      await harness.close();
      await demo.close();
      rmSync(extensionDir, { recursive: true, force: true });
    }
  });

  test('small things: watch refuses "$bad field", a gap says #1 and clock times, the Source filter tells page loads apart', { timeout: 90_000 }, async () => {
    const pageURL = session.pages.url(
      `/raw.html?${new URLSearchParams({ lq: embedded.liveQueryURL, app: embedded.applicationId, js: embedded.javascriptKey, className: 'Note', where: '{}' })}`,
    );
    const { page, panel } = await session.openPanel(pageURL);
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');

    // watch with a field name that can never fire: refused like a bad where, nothing sent.
    await subscribe(panel, { className: 'Game', watch: 'score, $bad field' });
    assert.match(await panel.text(byTestId('watch-error')), /^"watch": "\$bad field" is not a field name/);
    assert.match(await panel.text(byTestId('subscribe-error')), /"watch": "\$bad field"/);
    assert.equal(await panel.count(byTestId('subscription')), 0, 'nothing subscribed');
    await panel.fill(byTestId('subscribe-watch'), 'score');
    await panel.click(byTestId('subscribe-submit'));
    await waitForSubscriptionState(panel, 'subscribed');

    // A gap after the server was disconnected and connected again: its subscription as #1, its times as clock times.
    await panel.click(byTestId('server-disconnect'));
    await waitForServerState(panel, 'disconnected');
    await panel.click(byTestId('server-connect'));
    await waitForRow(panel, 'gap', 'may have been missed');
    await panel.click(`${byTestId('timeline-row')}[data-kind="gap"]`);
    const facts = await panel.evaluate<[string, string][]>(
      `[...document.querySelectorAll('[data-testid="marker-facts"] tr')].map((tr) => [tr.querySelector('th').innerText, tr.querySelector('td').innerText])`,
    );
    const byName = new Map(facts);
    assert.equal(byName.get('subscription'), '#1 Game', JSON.stringify(facts));
    assert.match(byName.get('from') ?? '', /^\d\d:\d\d:\d\d\.\d{3}$/);
    const detail = await panel.text(byTestId('detail'));
    assert.doesNotMatch(detail, /\d{13}/, 'no epoch milliseconds anywhere in the gap detail');
    assert.doesNotMatch(detail, /server:|\/sub|[0-9a-f]{8}-[0-9a-f]{4}/, 'no internal subscription id');
    await panel.click(byTestId('detail-tab-raw'));
    assert.match(await panel.text(byTestId('detail-json')), /"from": "\d\d:\d\d:\d\d\.\d{3}"/);

    // Preserve log and a reload: the sockets of both page loads (the extension keeps the previous one) are distinct.
    await waitForPageSubscriptions(panel, 1);
    await panel.click(byTestId('preserve-log'));
    await page.reload();
    await page.waitForFunction('window.__appReady || window.__appError');
    await panel.waitFor(`[...document.querySelectorAll('[data-testid="filter-source"] option')].filter((o) => o.text.startsWith('page')).length === 2`, {
      message: 'two page sockets in the Source filter',
    });
    const options = await panel.evaluate<string[]>(`[...document.querySelectorAll('[data-testid="filter-source"] option')].map((o) => o.text)`);
    assert.equal(new Set(options).size, options.length, `distinct: ${JSON.stringify(options)}`);
    assert.deepEqual(panel.errors, []);
  });
});

// Trusting what the panel shows, in the real DevTools: shortcuts that leave text fields alone and a Clear that can be
// undone, a usable panel in a 400 px wide DevTools, the first run of `npm start`, and small things that misled.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { createObject } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, type PanelHandle } from './harness/index.js';
import { addServer, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession();

const recordCount = (panel: PanelHandle) => panel.evaluate<number>(`Number(document.querySelector('[data-testid="timeline-viewport"]').getAttribute('aria-rowcount'))`);
const isRecording = (panel: PanelHandle) => panel.evaluate<boolean>(`document.querySelector('[data-testid="record"]').getAttribute('aria-pressed') === 'true'`);
const valueOf = (panel: PanelHandle, selector: string) => panel.evaluate<string>(`document.querySelector(${JSON.stringify(selector)}).value`);

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
});

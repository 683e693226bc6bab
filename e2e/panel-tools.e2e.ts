// The panel as a daily tool: compose with the where builder, edit a live subscription in place, switch session
// tokens between two users of a real Parse Server, and export → clear → open a recording.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportRecording } from '../src/timeline/export.js';
import type { TimelineRecord } from '../src/timeline/record.js';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, signUp, updateObject } from '../test/harness/rest.js';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, poll, type PanelHandle } from './harness/index.js';
import { addServer, rowTexts, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

const session = useBrowserSession();
const openPanel = async (): Promise<PanelHandle> => (await session.openPanel()).panel;

/** Picks the option with this value, or else with this visible text, the way a user's choice does. */
function choose(panel: PanelHandle, selector: string, valueOrLabel: string): Promise<unknown> {
  return panel.evaluate(
    ([sel, wanted]: [string, string]) => {
      const select = document.querySelector<HTMLSelectElement>(sel);
      if (!select) throw new Error(`no ${sel}`);
      const option = [...select.options].find((o) => o.value === wanted) ?? [...select.options].find((o) => o.text === wanted);
      if (!option) throw new Error(`no option ${wanted} in ${sel}`);
      select.value = option.value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    [selector, valueOrLabel] as [string, string],
  );
}

const countRows = async (panel: PanelHandle, kind: string) => (await rowTexts(panel)).filter((r) => r.kind === kind).length;

/** Selects the first rendered row of `kind` whose text contains `text`, as a click on it does. */
function selectRow(panel: PanelHandle, kind: string, text: string): Promise<unknown> {
  return panel.evaluate(
    ([wanted, needle]: [string, string]) => {
      const row = [...document.querySelectorAll<HTMLElement>(`[data-testid="timeline-row"][data-kind="${wanted}"]`)].find((r) => r.innerText.includes(needle));
      if (!row) throw new Error(`no ${wanted} row with ${needle}`);
      row.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
      return true;
    },
    [kind, text] as [string, string],
  );
}

/** Opens a recording file through the Open menu's file input, and waits until it is shown. */
async function openRecordingFile(panel: PanelHandle, name: string, content: string): Promise<void> {
  await panel.evaluate(
    ([fileName, text]: [string, string]) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], fileName, { type: 'application/json' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    [name, content] as [string, string],
  );
  await panel.waitFor(`!!document.querySelector('[data-testid="viewing-recording"]')`);
}

describe('against the embedded server', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    // A key long enough to be recognisable in an export (a short one could not be told from other text).
    embedded = await startTarget('embedded', { embedded: { javascriptKey: 'js-key-of-the-panel-tools-suite-7f3a9c' } });
  });
  after(() => embedded.stop());

  test('compose with the builder, subscribe, then edit the live subscription in place (update op)', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await panel.fill(byTestId('subscribe-className'), 'Game');
    await panel.click(byTestId('where-mode-builder'));
    await panel.click(byTestId('where-add-condition'));
    await panel.fill(byTestId('where-field'), 'score');
    await choose(panel, byTestId('where-operator'), '$gt');
    await panel.fill(byTestId('where-value'), '10');
    await panel.click(byTestId('where-mode-json'));
    assert.deepEqual(JSON.parse(await panel.evaluate<string>(`document.querySelector('[data-testid="subscribe-where"]').value`)), { score: { $gt: 10 } });
    await panel.click(byTestId('subscribe-submit'));
    await waitForSubscriptionState(panel, 'subscribed');

    await createObject(embedded, 'Game', { name: 'low', score: 5 });
    const high = await createObject(embedded, 'Game', { name: 'high', score: 20 });
    await waitForRow(panel, 'create', high.objectId);
    assert.equal(await countRows(panel, 'create'), 1, 'the builder query filters on the server');

    await panel.click(byTestId('edit-subscription'));
    await panel.waitFor(`!!document.querySelector('[data-testid="composer-editing"]')`);
    await panel.fill(byTestId('subscribe-where'), '{"score":{"$gt":100}}');
    await panel.click(byTestId('subscribe-submit'));
    await waitForRow(panel, 'sent', '{"$gt":100}');
    const sentUpdate = (await rowTexts(panel)).find((r) => r.kind === 'sent' && r.text.includes('{"$gt":100}'));
    assert.ok(sentUpdate?.text.includes('update'), 'the edit is sent with the update op');
    await waitForSubscriptionState(panel, 'subscribed');
    await createObject(embedded, 'Game', { name: 'mid', score: 50 });
    const top = await createObject(embedded, 'Game', { name: 'top', score: 150 });
    await waitForRow(panel, 'create', top.objectId);
    assert.equal(await countRows(panel, 'create'), 2, 'the updated query applies in place');
    assert.equal(await panel.count(byTestId('subscription')), 1, 'still one subscription');

    await panel.click(byTestId('copy-as-code'));
    assert.match(await panel.text(byTestId('sdk-code')), /new Parse\.Query\('Game'\);\s+query\.greaterThan\('score', 100\);/);
    assert.ok((await panel.count(byTestId('history-entry'))) >= 2, 'both queries are in the history');
  });

  test('export (secrets redacted), clear, open the recording and see the same records', { timeout: 90_000 }, async () => {
    const downloads = mkdtempSync(join(tmpdir(), 'lq-downloads-'));
    try {
      const panel = await openPanel();
      const cdp = await session.harness.cdp();
      await cdp.browserSession.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
      await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
      await subscribe(panel, { className: 'Note', sessionToken: 'r:0123456789abcdef0123456789abcdef' });
      await waitForSubscriptionState(panel, 'subscribed');
      const note = await createObject(embedded, 'Note', { text: 'recorded' });
      await waitForRow(panel, 'create', note.objectId);
      const before = await rowTexts(panel);

      await panel.click(byTestId('recording-menu'));
      await panel.click(byTestId('export-recording'));
      const file = await poll(() => readdirSync(downloads).find((f) => f.endsWith('.lqrec.json')), { timeoutMs: 10_000, message: 'the exported file' });
      const text = readFileSync(join(downloads, file), 'utf8');
      assert.ok(!text.includes('r:0123456789abcdef0123456789abcdef'), 'the session token is redacted');
      assert.ok(embedded.javascriptKey.length >= 16);
      assert.ok(!text.includes(embedded.javascriptKey), 'the JavaScript key is redacted');
      assert.match(text, /\[redacted\]/);

      await panel.click(byTestId('clear'));
      await panel.waitFor(`!!document.querySelector('[data-testid="timeline-empty"]')`);

      await panel.evaluate(
        ([name, content]: [string, string]) => {
          const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
          const transfer = new DataTransfer();
          transfer.items.add(new File([content], name, { type: 'application/json' }));
          input.files = transfer.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
          return true;
        },
        [file, text] as [string, string],
      );
      await panel.waitFor(`!!document.querySelector('[data-testid="viewing-recording"]')`);
      const reopened = await rowTexts(panel);
      assert.deepEqual(
        reopened.map((r) => r.kind),
        before.map((r) => r.kind),
      );
      assert.deepEqual(
        reopened.map((r) => r.text.replace(/r:[0-9a-f]+|\[redacted\]/g, '')),
        before.map((r) => r.text.replace(/r:[0-9a-f]+|\[redacted\]/g, '')),
      );
      await panel.click(byTestId('close-recording'));
      await panel.waitFor(`!document.querySelector('[data-testid="viewing-recording"]')`);
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  });
});

describe('hostile or huge data', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  const connectAndSubscribe = async (panel: PanelHandle, className: string) => {
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className });
    await waitForSubscriptionState(panel, 'subscribed');
  };

  /** Starts counting, in the panel, its longest stall: the longest gap between two ticks of a 20 ms interval. */
  const watchStalls = (panel: PanelHandle) =>
    panel.evaluate(() => {
      const w = window as unknown as { longestStall: number };
      w.longestStall = 0;
      let last = performance.now();
      setInterval(() => {
        const now = performance.now();
        w.longestStall = Math.max(w.longestStall, now - last);
        last = now;
      }, 20);
      return true;
    });

  test('a catastrophic regex typed into the filter is refused with the reason; the panel stays responsive', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await connectAndSubscribe(panel, 'Note');
    const note = await createObject(embedded, 'Note', { text: 'a'.repeat(30_000) });
    await waitForRow(panel, 'create', note.objectId);
    await watchStalls(panel);

    await panel.click(byTestId('filter-regex'));
    await panel.type(byTestId('filter-text'), '(a+)+$');
    // Run on the main thread, this pattern would backtrack over the 30,000 "a" for longer than the test lasts.
    await panel.waitFor(`document.querySelector('[data-testid="filter-error"]')?.textContent.includes('takes too long on these records')`, {
      timeoutMs: 20_000,
      message: 'the filter says the expression takes too long',
    });
    assert.equal(await panel.count(byTestId('timeline-row')), 0, 'a refused filter shows nothing');
    assert.equal(await panel.evaluate(() => 1 + 1), 2, 'the panel answers');
    const stall = await panel.evaluate<number>('window.longestStall');
    console.log(`longest main-thread stall while the expression was checked: ${Math.round(stall)} ms`);

    await panel.fill(byTestId('filter-text'), 'a{5}');
    await waitForRow(panel, 'create', note.objectId);
    assert.equal(await panel.count(byTestId('filter-error')), 0);
    assert.deepEqual(panel.errors.filter((e) => !e.includes('WebSocket')), []);
  });

  test('a frame nested 25,000 levels deep: "too deep to display" as a tree, masked as text, in the results too', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    await connectAndSubscribe(panel, 'Deep');
    const token = 'r:0123456789abcdef0123456789abcdef';
    // Under the 64K characters a record keeps of a frame, so that it stays JSON; far deeper than JSON.stringify goes.
    const deep = '['.repeat(25_000) + `{"sessionToken":"${token}"}` + ']'.repeat(25_000);
    embedded.faults.sendRaw(`{"op":"create","clientId":"c","requestId":1,"object":{"className":"Deep","objectId":"deep1","nested":${deep}}}`);
    await waitForRow(panel, 'create', 'deep1');
    await selectRow(panel, 'create', 'deep1');
    await panel.click(byTestId('detail-tab-tree'));
    assert.match(await panel.text(byTestId('json-too-deep')), /Too deep to display as a tree/);
    await panel.click(byTestId('detail-tab-raw'));
    const raw = await panel.text(byTestId('detail-json'));
    assert.ok(raw.includes('"sessionToken":"[redacted]"') && !raw.includes(token), 'masked as text');

    await panel.click(byTestId('show-results'));
    await panel.waitFor(`document.querySelectorAll('[data-testid="result-row"]').length === 1`, { message: 'the deep object in the result set' });
    const cells = await panel.texts(`${byTestId('result-row')} td`);
    assert.ok(cells.some((c) => /^\[\[\[\[.*… [\d,]+ more characters not shown$/.test(c)), cells.join(' | ').slice(0, 300));
    assert.deepEqual(panel.errors.filter((e) => !e.includes('WebSocket')), []);
  });

  test('a megabyte frame in an opened recording: the Raw tab masks and shows its first 100,000 characters and counts the rest', { timeout: 90_000 }, async () => {
    const panel = await openPanel();
    const token = 'r:0123456789abcdef0123456789abcdef';
    const frame = `not json sessionToken=${token} ` + 'eyJhbGciOiJIUzI1NiJ9_-'.repeat(48_000);
    const record: TimelineRecord = { seq: 1, epoch: 'file', time: Date.UTC(2026, 0, 1), source: { type: 'server', serverId: 's' }, kind: 'error', label: 'invalid frame', summary: 'not json', raw: frame };
    await openRecordingFile(panel, 'big.lqrec.json', exportRecording([record], { exportedAt: Date.UTC(2026, 0, 1), appVersion: '1', redact: false }));
    await selectRow(panel, 'error', 'not json');
    await panel.click(byTestId('detail-tab-raw'));
    const raw = await panel.text(byTestId('detail-json'));
    assert.ok(raw.startsWith('not json sessionToken=[redacted] eyJ'), raw.slice(0, 80));
    assert.equal(raw.length, 100_000);
    assert.equal(await panel.text(byTestId('detail-hidden')), `… ${(frame.length - 100_000).toLocaleString('en-US')} more characters not shown`);
    await panel.click(byTestId('reveal-secrets'));
    assert.ok((await panel.text(byTestId('detail-json'))).startsWith(`not json sessionToken=${token} eyJ`), 'revealed, still cut');
    assert.deepEqual(panel.errors.filter((e) => !e.includes('WebSocket')), []);
  });
});

describe('against a real Parse Server', () => {
  let parse: ParseServerTarget;
  before(async () => {
    parse = await startTarget('parse-server');
  });
  after(() => parse.stop());

  test('switching a subscription between two users shows their ACL-protected objects accordingly', { timeout: 90_000 }, async () => {
    const suffix = Date.now().toString(36);
    const alice = await signUp(parse, `alice-${suffix}`, 'pw-alice');
    const bob = await signUp(parse, `bob-${suffix}`, 'pw-bob');
    const aliceNote = await createObject(parse, 'Note', { text: 'for alice', owner: 'alice' }, { sessionToken: alice.sessionToken, acl: { [alice.objectId]: { read: true, write: true } } });
    const bobNote = await createObject(parse, 'Note', { text: 'for bob', owner: 'bob' }, { sessionToken: bob.sessionToken, acl: { [bob.objectId]: { read: true, write: true } } });

    const panel = await openPanel();
    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey });
    await waitForServerState(panel, 'connected');
    await panel.click(`${byTestId('tokens')} > summary`);
    for (const [name, password] of [[`alice-${suffix}`, 'pw-alice'], [`bob-${suffix}`, 'pw-bob']]) {
      await panel.fill(byTestId('keyring-username'), name!);
      await panel.fill(byTestId('keyring-password'), password!);
      await panel.click(byTestId('keyring-submit'));
      await panel.waitFor(`document.querySelector('[data-testid="keyring-message"]')?.innerText.includes(${JSON.stringify(`Logged in as ${name}`)})`);
    }
    assert.equal(await panel.count(byTestId('keyring-entry')), 2);
    const panelText = await panel.evaluate<string>('document.body.innerText');
    assert.ok(!panelText.includes(alice.sessionToken), 'tokens are masked in the UI');

    await subscribe(panel, { className: 'Note' });
    await waitForSubscriptionState(panel, 'subscribed');
    await choose(panel, byTestId('subscription-token'), `alice-${suffix}`);
    await waitForRow(panel, 'connection', `"alice-${suffix}"`);
    await waitForSubscriptionState(panel, 'subscribed');

    await updateObject(parse, 'Note', aliceNote.objectId, { text: 'alice 2' }, { sessionToken: alice.sessionToken });
    await updateObject(parse, 'Note', bobNote.objectId, { text: 'bob 2' }, { sessionToken: bob.sessionToken });
    await waitForRow(panel, 'update', aliceNote.objectId);

    await choose(panel, byTestId('subscription-token'), `bob-${suffix}`);
    await waitForRow(panel, 'connection', `"bob-${suffix}"`);
    await waitForSubscriptionState(panel, 'subscribed');
    await updateObject(parse, 'Note', aliceNote.objectId, { text: 'alice 3' }, { sessionToken: alice.sessionToken });
    await updateObject(parse, 'Note', bobNote.objectId, { text: 'bob 3' }, { sessionToken: bob.sessionToken });
    await waitForRow(panel, 'update', bobNote.objectId);

    const updates = (await rowTexts(panel)).filter((r) => r.kind === 'update');
    assert.equal(updates.filter((r) => r.text.includes(aliceNote.objectId)).length, 1, "alice's object only while subscribed as alice");
    assert.equal(updates.filter((r) => r.text.includes(bobNote.objectId)).length, 1, "bob's object only while subscribed as bob");

    await panel.click(byTestId('show-results'));
    await panel.waitFor(`document.querySelectorAll('[data-testid="result-row"]').length >= 1`);
    const results = await panel.texts(byTestId('result-row'));
    assert.ok(results.some((r) => r.includes(bobNote.objectId)));
  });
});

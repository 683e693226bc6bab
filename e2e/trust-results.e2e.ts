// Trust what the result set shows: it does not depend on the recording, it says when a gap may have made it wrong and
// recovers over REST what was missed, seeding pages through every match, and one REST URL per server serves it all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedServer } from '../server/index.js';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, deleteObject, request, signUp, updateObject, type RestTarget } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, openDevToolsPanel, type PanelHandle } from './harness/index.js';
import { useBrowserSession } from './support/browser-session.js';
import { PARSE_APP_PAGE, parseSdkBrowserBuild, waitForPageSubscriptions } from './support/page-apps.js';
import { addServer, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';

const session = useBrowserSession(() => ({ '/parse.min.js': parseSdkBrowserBuild(), '/app.html': PARSE_APP_PAGE }));

/** Creates `count` objects in batches of 50 (the master key: no class-creation rights needed). */
async function createMany(target: RestTarget, className: string, count: number, fields: (n: number) => Record<string, unknown>): Promise<void> {
  for (let from = 0; from < count; from += 50) {
    const requests = Array.from({ length: Math.min(50, count - from) }, (_, i) => ({ method: 'POST', path: `/parse/classes/${className}`, body: fields(from + i) }));
    await request(target, 'POST', '/batch', { requests }, { useMasterKey: true });
  }
}

const resultCount = (panel: PanelHandle) => panel.evaluate<number>(`parseInt(document.querySelector('[data-testid="result-count"]')?.innerText.replace(/,/g, '') ?? '-1', 10)`);
function waitForResultCount(panel: PanelHandle, count: number, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(`parseInt(document.querySelector('[data-testid="result-count"]')?.innerText.replace(/,/g, '') ?? '-1', 10) === ${count}`, {
    timeoutMs,
    message: `${count} object(s) in the result set`,
  });
}
function waitForText(panel: PanelHandle, testId: string, text: string, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(`document.querySelector('[data-testid="${testId}"]')?.innerText.includes(${JSON.stringify(text)})`, {
    timeoutMs,
    message: `${testId} saying "${text}"`,
  });
}
const showResults = async (panel: PanelHandle) => {
  await panel.click(byTestId('show-results'));
  await panel.waitFor(`!!document.querySelector('[data-testid="result-set"]')`);
};
const backToTimeline = (panel: PanelHandle) => panel.click(byTestId('close-results'));

describe('against the embedded server', () => {
  let embedded: EmbeddedServer;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('the result set stays as the events made it: paused recording, Clear and a tiny capacity change nothing; Reset empties it', { timeout: 120_000 }, async () => {
    const page = await session.openPage();
    // The smallest capacity the panel accepts from its settings (1,000): the 4 creates below will be dropped from it.
    await session.harness.evaluateInServiceWorker(() =>
      (globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } }).chrome.storage.local.set({ panelSettings: { capacity: 1000 } }),
    );
    const panel = await openDevToolsPanel(session.harness, page);
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Item', where: '{"kept":true}' });
    await waitForSubscriptionState(panel, 'subscribed');
    const items = [];
    for (let n = 0; n < 4; n++) items.push(await createObject(embedded, 'Item', { kept: true, n }));
    await waitForRow(panel, 'create', items[3]!.objectId);
    await showResults(panel);
    await waitForResultCount(panel, 4);
    await backToTimeline(panel);

    // Another subscription's 1,100 events push the 4 creates out of a 1,000-record timeline.
    await subscribe(panel, { className: 'Note' });
    await waitForSubscriptionState(panel, 'subscribed', 1);
    await createMany(embedded, 'Note', 1100, (n) => ({ n }));
    await panel.waitFor(`!!document.querySelector('[data-testid="dropped"]')`, { timeoutMs: 30_000, message: 'records dropped for the capacity' });
    await panel.click(byTestId('record')); // pause
    await panel.click(byTestId('clear'));
    await panel.waitFor(`!!document.querySelector('[data-testid="timeline-empty"]')`);
    await showResults(panel);
    await waitForResultCount(panel, 4);
    // While paused, events still reach the set (only the timeline stops).
    const fifth = await createObject(embedded, 'Item', { kept: true, n: 5 });
    await waitForResultCount(panel, 5);
    await deleteObject(embedded, 'Item', fifth.objectId);
    await waitForResultCount(panel, 4);
    assert.equal(await resultCount(panel), 4);

    await panel.click(byTestId('reset-results'));
    await waitForResultCount(panel, 0);
    assert.deepEqual(panel.errors, []);
  });

  test('after a gap the set says since when it may be stale; What did I miss? recovers over REST, corrects it and says so in the timeline', { timeout: 120_000 }, async () => {
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Game', where: '{"team":"red"}' });
    await waitForSubscriptionState(panel, 'subscribed');
    const a = await createObject(embedded, 'Game', { team: 'red', score: 1 });
    const b = await createObject(embedded, 'Game', { team: 'red', score: 2 });
    const c = await createObject(embedded, 'Game', { team: 'red', score: 3 });
    await waitForRow(panel, 'create', c.objectId);
    await showResults(panel);
    await waitForResultCount(panel, 3);
    assert.equal(await panel.count(byTestId('result-stale')), 0, 'no warning before any gap');

    // The gap: the connection is closed while the world changes.
    await panel.click(byTestId('server-disconnect'));
    await waitForServerState(panel, 'disconnected');
    const d = await createObject(embedded, 'Game', { team: 'red', score: 4 }); // appeared
    await updateObject(embedded, 'Game', a.objectId, { score: 10 }); // changed
    await updateObject(embedded, 'Game', b.objectId, { team: 'blue' }); // left: no longer matches
    await deleteObject(embedded, 'Game', c.objectId); // left: deleted (REST cannot tell which)
    await panel.click(byTestId('server-connect'));
    await waitForServerState(panel, 'connected');
    await waitForSubscriptionState(panel, 'subscribed');

    await waitForText(panel, 'result-stale-since', 'May be stale since');
    assert.match(await panel.text(byTestId('result-stale-since')), /May be stale since \d\d:\d\d:\d\d/);
    assert.equal(await resultCount(panel), 3, 'the events did not say what happened');
    await panel.screenshot('trust-results/stale.png');
    await panel.click(byTestId('what-did-i-miss'));
    await waitForText(panel, 'result-last-check', 'Last checked');
    assert.match(await panel.text(byTestId('result-last-check')), /1 appeared, 1 changed, 2 left .*Deletes during a gap cannot be known from REST/);
    assert.equal(await panel.count(byTestId('result-stale-since')), 0, 'no longer stale');
    await waitForResultCount(panel, 2);
    const rows = await panel.texts(byTestId('result-row'));
    assert.ok(rows.some((r) => r.includes(a.objectId) && r.includes('10')), 'a has its new score');
    assert.ok(rows.some((r) => r.includes(d.objectId)), 'd is in');

    await panel.screenshot('trust-results/checked.png');
    await backToTimeline(panel);
    await waitForRow(panel, 'gap', `${d.objectId} appeared`);
    for (const [id, what] of [[a.objectId, 'changed'], [b.objectId, 'left'], [c.objectId, 'left']] as const) {
      await waitForRow(panel, 'gap', `${id} ${what}`);
    }
    await panel.screenshot('trust-results/recovered-rows.png');
    assert.deepEqual(panel.errors, []);
  });
});

describe('one REST URL per server: LiveQuery at /, REST at /parse', () => {
  let embedded: EmbeddedServer;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('seeding with the derived REST URL fails clearly; the REST URL set on the card serves seeding and login', { timeout: 90_000 }, async () => {
    const { panel } = await session.openPanel();
    const root = `ws://${embedded.host}:${embedded.port}`;
    await addServer(panel, { serverURL: root, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    assert.match(await panel.text(byTestId('server-rest-url')), new RegExp(`REST http://${embedded.host}:${embedded.port} \\(derived\\)`));
    for (let n = 0; n < 3; n++) await createObject(embedded, 'Item', { n });
    await subscribe(panel, { className: 'Item' });
    await waitForSubscriptionState(panel, 'subscribed');
    await showResults(panel);
    await panel.click(byTestId('seed-results'));
    await waitForText(panel, 'result-message', 'is this the Parse REST URL?');
    assert.equal(await resultCount(panel), 0, 'nothing lost or invented');

    await panel.click(byTestId('server-rest-url-edit'));
    await panel.fill(byTestId('server-rest-url-input'), 'not a url');
    await panel.click(byTestId('server-rest-url-save'));
    await waitForText(panel, 'server-rest-url-error', 'must be an http(s) URL');
    await panel.fill(byTestId('server-rest-url-input'), embedded.restURL);
    await panel.click(byTestId('server-rest-url-save'));
    await waitForText(panel, 'server-rest-url', `REST ${embedded.restURL}`);
    assert.equal(await panel.evaluate<string>(`document.querySelector('[data-testid="server-state"]').dataset.state`), 'connected');

    await panel.click(byTestId('seed-results'));
    await waitForText(panel, 'result-message', 'Seeded with 3 objects');
    await waitForResultCount(panel, 3);

    const user = await signUp(embedded, `carol-${Date.now().toString(36)}`, 'pw-carol');
    await panel.click(byTestId('close-results'));
    await panel.click(`${byTestId('tokens')} > summary`);
    assert.match(await panel.text(byTestId('keyring-rest-url')), new RegExp(embedded.restURL.replace(/[.]/g, '\\.')));
    await panel.fill(byTestId('keyring-username'), user.username);
    await panel.fill(byTestId('keyring-password'), 'pw-carol');
    await panel.click(byTestId('keyring-submit'));
    await waitForText(panel, 'keyring-message', `Logged in as ${user.username}`);
    assert.deepEqual(panel.errors, []);
  });
});

describe('against a real Parse Server whose REST API caps limit at 100', () => {
  let parse: ParseServerTarget;
  before(async () => {
    parse = await startTarget('parse-server', { parseServer: { parseServerOptions: { maxLimit: 100 } } });
  });
  after(() => parse.stop());

  test('seeding pages through all 150 matches and says so; a lower cap loads the first ones and says there are more', { timeout: 120_000 }, async () => {
    await createMany(parse, 'Note', 150, (n) => ({ n, batch: 'seed' }));
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Note', where: '{"batch":"seed"}' });
    await waitForSubscriptionState(panel, 'subscribed');
    await showResults(panel);
    await panel.click(byTestId('seed-results'));
    await waitForText(panel, 'result-message', 'Seeded with 150 objects');
    await waitForResultCount(panel, 150);

    await panel.fill(byTestId('result-cap'), '120');
    // The lower cap trims the set and shows what it forgot, which moves the Seed button: click once it has moved.
    await panel.waitFor(`!!document.querySelector('[data-testid="result-forgotten"]')`);
    await waitForResultCount(panel, 120);
    await panel.click(byTestId('seed-results'));
    await waitForText(panel, 'result-message', 'Loaded the first 120 of more: raise the cap');
    await waitForResultCount(panel, 120);
    assert.deepEqual(panel.errors, []);
  });

  test('a page subscription’s result set runs on the page socket’s server with the subscription’s token', { timeout: 120_000 }, async () => {
    const suffix = Date.now().toString(36);
    const user = await signUp(parse, `dana-${suffix}`, 'secret-pw');
    const room = `room-${suffix}`;
    const acl = { [user.objectId]: { read: true, write: true } };
    for (let n = 0; n < 3; n++) await createObject(parse, 'Message', { room, n }, { sessionToken: user.sessionToken, acl });
    const { page, panel } = await session.openPanel();
    const params = new URLSearchParams({ app: parse.applicationId, js: parse.javascriptKey, rest: parse.restURL, lq: parse.liveQueryURL, user: user.username, pw: 'secret-pw', room, min: '10' });
    await page.goto(session.pages.url(`/app.html?${params}`));
    await page.waitForFunction('window.__appReady || window.__appError', undefined, { timeout: 20_000 });
    assert.equal(await page.evaluate('window.__appError'), undefined);
    await waitForPageSubscriptions(panel, 2);
    await panel.evaluate(() => document.querySelectorAll<HTMLElement>('[data-testid="page-show-results"]')[1]!.setAttribute('data-e2e', 'messages-results'));
    await panel.click('[data-e2e="messages-results"]');
    await panel.waitFor(`!!document.querySelector('[data-testid="result-set"]')`);
    await panel.click(byTestId('seed-results'));
    await waitForText(panel, 'result-message', 'Seeded with 3 objects');
    await waitForResultCount(panel, 3);
    await createObject(parse, 'Message', { room, n: 3 }, { sessionToken: user.sessionToken, acl });
    await waitForResultCount(panel, 4);
    await panel.click(byTestId('what-did-i-miss'));
    await waitForText(panel, 'result-last-check', '0 appeared, 0 changed, 0 left (REST found 4)');
    assert.deepEqual(panel.errors, []);
  });
});

// The Firefox build end to end in Debian's firefox-esr: installed over WebDriver BiDi, driven in Firefox's OWN
// DevTools (the toolbox's LiveQuery panel). Its event page connects to the embedded server and to a real Parse
// Server, page inspection sees a Parse JS SDK page's own subscriptions, and what differs from Chrome (event page
// instead of service worker, inspectedWindow, the regex worker) behaves.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { EmbeddedServer } from '../server/index.js';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, signUp } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { launchFirefox, openFirefoxDevToolsPanel, type FirefoxHarness, type FirefoxLaunchOptions, type FirefoxPanel, type FirefoxTab } from './harness/firefox/index.js';
import { byTestId, poll } from './harness/index.js';
import {
  PARSE_APP_PAGE,
  pageSockets,
  parseSdkBrowserBuild,
  RAW_CLIENT_PAGE,
  RAW_CLIENT_SCRIPT,
  waitForPageRow,
  waitForPageSubscriptions,
} from './support/page-apps.js';
import { addServer, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { serveStaticPages, type StaticPages } from './support/static-page.js';

/** A host name Firefox resolves to 127.0.0.1 (network.dns.localDomains) that is not a secure context. */
const PLAIN_HTTP_HOST = 'lqd-app.test';
/** A short idle timeout for the lifecycle test (Firefox's default is 30 s), still longer than the keep-alive's 5 s. */
const IDLE_TIMEOUT_MS = 8_000;
const unique = () => Math.random().toString(36).slice(2, 10);

let pages: StaticPages;
let embedded: EmbeddedServer;
let parse: ParseServerTarget;
let firefox: FirefoxHarness | undefined;

before(async () => {
  [pages, embedded, parse] = await Promise.all([
    serveStaticPages({
      '/parse.min.js': parseSdkBrowserBuild(),
      '/app.html': PARSE_APP_PAGE,
      '/lq-raw.js': RAW_CLIENT_SCRIPT,
      '/raw.html': RAW_CLIENT_PAGE,
    }),
    startTarget('embedded'),
    startTarget('parse-server'),
  ]);
});
afterEach(async () => {
  await firefox?.close();
  firefox = undefined;
});
after(async () => {
  await Promise.all([pages?.close(), embedded?.stop(), parse?.stop()]);
});

/** A fresh Firefox with the extension, `url` in its first tab and the LiveQuery panel open in its toolbox. */
async function openPanel(url = pages.url(), options: FirefoxLaunchOptions = {}): Promise<{ tab: FirefoxTab; panel: FirefoxPanel }> {
  firefox = await launchFirefox(options);
  await firefox.firstTab.navigate(url);
  return { tab: firefox.firstTab, panel: await openFirefoxDevToolsPanel(firefox, firefox.firstTab) };
}

/** Selects the n-th server card (0-based): the composer subscribes on the selected server. */
async function selectServer(panel: FirefoxPanel, index: number): Promise<void> {
  await panel.evaluate((i: number) => {
    document.querySelectorAll('[data-e2e="server"]').forEach((el) => el.removeAttribute('data-e2e'));
    document.querySelectorAll('[data-testid="server"]')[i]?.setAttribute('data-e2e', 'server');
  }, index);
  await panel.click('[data-e2e="server"]');
  await panel.waitFor(`document.querySelectorAll('[data-testid="server"]')[${index}]?.classList.contains('selected')`, { message: `server ${index} selected` });
}

/**
 * Firefox's notes that an API call of a content script answered after its document went away (the first tab's
 * about:blank is replaced while the relay's storage read is in flight): about the document's lifetime, not an error.
 */
const UNLOADED_CONTEXT = /^error: Promise resolved (while context is inactive|after context unloaded)/;

/** The extension's own errors (background, panel, content scripts) in the browser console; none expected. */
async function assertNoExtensionErrors(): Promise<void> {
  const errors = (await firefox!.extensionConsoleErrors()).filter((e) => e.startsWith('error') && !UNLOADED_CONTEXT.test(e));
  assert.deepEqual(errors, []);
}

describe('Firefox: the event page and the DevTools panel', () => {
  test('the event page connects to the embedded server and to Parse Server; the toolbox panel shows servers, subscriptions and events', { timeout: 90_000 }, async () => {
    const { panel } = await openPanel();
    assert.match(firefox!.browserVersion, /^\d+\./);

    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected', 0);
    await subscribe(panel, { className: 'Note', where: '{"kind":"ff"}' });
    await waitForSubscriptionState(panel, 'subscribed', 0);

    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey });
    await waitForServerState(panel, 'connected', 1);
    assert.match((await panel.texts(byTestId('client-id')))[1] ?? '', /clientId [0-9a-f-]{36}/, 'Parse Server gave a clientId');
    await selectServer(panel, 1);
    await subscribe(panel, { className: 'Game', where: '{"score":{"$gt":10}}' });
    await waitForSubscriptionState(panel, 'subscribed', 1);

    const note = await createObject(embedded, 'Note', { kind: 'ff', text: 'from the embedded server' });
    await waitForRow(panel, 'create', note.objectId);
    const game = await createObject(parse, 'Game', { name: 'firefox', score: 42 });
    await waitForRow(panel, 'create', game.objectId);
    const counts = await panel.texts(byTestId('subscription-counts'));
    assert.equal(counts.length, 2);
    for (const count of counts) assert.match(count, /^c1 u0 e0 l0 d0\b/);

    await panel.evaluate(() => document.querySelector('.sidebar')?.scrollTo(0, 0));
    await panel.screenshot('firefox/devtools-panel.png');
    assert.equal(await firefox!.backgroundState(), 'running');
    await assertNoExtensionErrors();
  });
});

describe('Firefox: what differs from Chrome', () => {
  test('"From page" asks to paste the token (no evaluation in the content script’s world); the regex check runs in its worker', { timeout: 90_000 }, async () => {
    const { tab, panel } = await openPanel();
    const pageToken = 'r:page-token-0123456789';
    await tab.evaluate(
      (token: string) => localStorage.setItem('Parse/lq-app/currentUser', JSON.stringify({ sessionToken: token, username: 'pageuser' })),
      pageToken,
    );
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Note', where: '{"kind":"regex"}' });
    await waitForSubscriptionState(panel, 'subscribed');

    await panel.evaluate(() => document.querySelectorAll('details').forEach((details) => (details.open = true)));
    await panel.click(byTestId('keyring-from-page'));
    assert.match(await panel.text(byTestId('keyring-message')), /cannot read the page's storage out of the page's reach .*; paste the token instead$/);
    assert.equal(await panel.count(byTestId('keyring-entry')), 0, 'nothing imported');
    assert.ok(!(await panel.evaluate<string>('document.body.innerText')).includes(pageToken));

    // Run on the main thread, this pattern would backtrack over the 30,000 "a" for longer than the test lasts: only
    // a check in the worker can refuse it.
    const note = await createObject(embedded, 'Note', { kind: 'regex', text: 'a'.repeat(30_000) });
    await waitForRow(panel, 'create', note.objectId);
    await panel.click(byTestId('filter-regex'));
    await panel.fill(byTestId('filter-text'), '(a+)+$');
    await panel.waitFor(`document.querySelector('[data-testid="filter-error"]')?.textContent.includes('takes too long on these records')`, {
      timeoutMs: 20_000,
      message: 'the filter says the expression takes too long',
    });
    await panel.fill(byTestId('filter-text'), 'a{5}');
    await waitForRow(panel, 'create', note.objectId);
    assert.equal(await panel.count(byTestId('filter-error')), 0);
    await assertNoExtensionErrors();
  });
});

describe('Firefox: the event page’s lifecycle', () => {
  test('the event page stays up while a panel is open, although Firefox ends idle event pages', { timeout: 90_000 }, async () => {
    // Firefox ends an event page idle for this long even with ports open and sockets live (30 s by default).
    const { panel } = await openPanel(pages.url(), { prefs: { 'extensions.background.idle.timeout': IDLE_TIMEOUT_MS } });
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Item', where: '{"kind":"idle"}' });
    await waitForSubscriptionState(panel, 'subscribed');
    const clientId = await panel.text(byTestId('client-id'));

    // The keep-alive pings at once, then every 5 s: three pings span more than one idle timeout.
    await poll(
      async () => {
        const { resets, suspended } = await firefox!.backgroundEvents();
        return resets >= 3 || suspended > 0;
      },
      { timeoutMs: 45_000, intervalMs: 500, message: 'three keep-alive pings, or a suspension' },
    );
    const events = await firefox!.backgroundEvents();
    assert.equal(events.suspended, 0, 'the event page was never suspended');
    assert.equal(await panel.count(`${byTestId('timeline-row')}[data-kind="gap"]`), 0, 'no gap');
    assert.equal(await panel.text(byTestId('client-id')), clientId, 'the same connection');
    const item = await createObject(embedded, 'Item', { kind: 'idle' });
    await waitForRow(panel, 'create', item.objectId);

    // Without a panel there is nothing to keep alive: the page may sleep as Firefox wants it to.
    await panel.close();
    await poll(async () => (await firefox!.backgroundEvents()).suspended === 1, {
      timeoutMs: IDLE_TIMEOUT_MS + 20_000,
      intervalMs: 500,
      message: 'the idle event page suspended after the panel closed',
    });
  });

  test('event page terminated → the panel reconnects, marks the gap, connections and subscriptions come back', { timeout: 90_000 }, async () => {
    const { panel } = await openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await subscribe(panel, { className: 'Item', where: '{"kind":"restart"}' });
    await waitForSubscriptionState(panel, 'subscribed');

    await firefox!.terminateBackground();
    // The panel's reconnect wakes the event page (Firefox starts it for runtime.connect).
    await waitForRow(panel, 'connection', 'restored after the service worker restarted', 20_000);
    assert.equal(await firefox!.backgroundState(), 'running');
    await waitForServerState(panel, 'connected', 0, 20_000);
    await waitForSubscriptionState(panel, 'subscribed');
    await waitForRow(panel, 'gap', 'restarted');
    assert.equal(await panel.count(byTestId('subscription')), 1);
    const item = await createObject(embedded, 'Item', { kind: 'restart' });
    await waitForRow(panel, 'create', item.objectId);
    const events = await firefox!.backgroundEvents();
    assert.deepEqual([events.suspended, events.started], [1, 1], 'one termination, one restart');
    await assertNoExtensionErrors();
  });
});

describe('Firefox: page inspection', () => {
  test('a Parse JS SDK page’s own socket, subscriptions and events appear in the panel', { timeout: 90_000 }, async () => {
    const user = await signUp(parse, `ff-${unique()}`, 'secret-pw');
    const room = `room-${unique()}`;
    const params = new URLSearchParams({
      app: parse.applicationId,
      js: parse.javascriptKey,
      rest: parse.restURL,
      lq: parse.liveQueryURL,
      user: user.username,
      pw: 'secret-pw',
      room,
      min: '10',
    });
    // As a user would: DevTools open, then the app loads (its content scripts find a panel open at document_start).
    const { tab, panel } = await openPanel();
    await tab.navigate(pages.url(`/app.html?${params}`));
    await tab.waitFor('window.__appReady || window.__appError', { timeoutMs: 20_000, message: 'the app ready' });
    assert.equal(await tab.evaluate<string | undefined>('window.__appError'), undefined);

    await waitForPageSubscriptions(panel, 2);
    const [socket, ...others] = await pageSockets(panel);
    assert.equal(others.length, 0);
    assert.equal(socket!.url, parse.liveQueryURL);
    assert.match(socket!.subscriptions[0]!.text, /^#1 Game \{"score":\{"\$gt":10\}\} subscribed/);
    assert.match(socket!.subscriptions[1]!.text, new RegExp(`^#2 Message \\{"room":"${room}"\\} subscribed`));

    const message = await createObject(parse, 'Message', { room, text: 'hello firefox' }, { acl: { [user.objectId]: { read: true, write: true } } });
    await waitForPageRow(panel, 'create', message.objectId);
    assert.deepEqual(await tab.evaluate<string[]>('window.__events'), [`messages:create:${message.objectId}`], 'the app got its event as usual');
    await panel.screenshot('firefox/page-inspection.png');
    await assertNoExtensionErrors();
  });

  test('a page on plain http (not a secure context) is inspected too', { timeout: 60_000 }, async () => {
    // A host name that is not localhost: like most apps in development, not a secure context, so no crypto.randomUUID.
    const params = new URLSearchParams({
      lq: embedded.liveQueryURL,
      app: embedded.applicationId,
      js: embedded.javascriptKey,
      className: 'Item',
      where: '{"kind":"plain-http"}',
    });
    const url = pages.url(`/raw.html?${params}`).replace('127.0.0.1', PLAIN_HTTP_HOST);
    const { tab, panel } = await openPanel(url, { prefs: { 'network.dns.localDomains': PLAIN_HTTP_HOST } });
    assert.equal(await tab.evaluate<boolean>('window.isSecureContext'), false);
    await tab.waitFor('window.__appReady || window.__appError', { message: 'the raw client subscribed' });
    assert.equal(await tab.evaluate<string | undefined>('window.__appError'), undefined);
    await waitForPageSubscriptions(panel, 1);
    const plain = await createObject(embedded, 'Item', { kind: 'plain-http' });
    await waitForPageRow(panel, 'create', plain.objectId);
    await assertNoExtensionErrors();
  });
});

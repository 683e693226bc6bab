// Where the keyring's secrets live, against hostile pages, in real Chromium with the real DevTools panel: one keyring
// for every open panel (Remember off stays off), remembered tokens out of the content scripts' reach, and "From page"
// read where the page's own JavaScript cannot see or answer it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { byTestId, openDevToolsPanel, openPanelTab, poll, type PanelHandle } from './harness/index.js';
import { useBrowserSession } from './support/browser-session.js';
import { addServer } from './support/panel-actions.js';

const APP_ID = 'hostile-app';
/** Nothing listens there: the server card (and its keyring) is all these tests need. */
const SERVER = { serverURL: 'ws://127.0.0.1:1/parse', applicationId: APP_ID };
const PAGE_TOKEN = 'r:the-real-session-token-of-carol';

/**
 * A page whose own scripts replace Storage.prototype.getItem and the window.localStorage getter, to see the panel
 * read its storage (each call is noted in <html data-hooked>) and to answer with a token of its choice.
 */
const HOSTILE_PAGE = `<!doctype html>
<title>hostile page</title>
<script>
  localStorage.setItem(${JSON.stringify(`Parse/${APP_ID}/currentUser`)}, ${JSON.stringify(JSON.stringify({ sessionToken: PAGE_TOKEN, username: 'carol', objectId: 'u3' }))});
  const note = (what) => { document.documentElement.dataset.hooked = (document.documentElement.dataset.hooked || '') + what + ';'; };
  const planted = JSON.stringify({ sessionToken: 'r:planted-by-the-page', username: 'mallory', objectId: 'evil' });
  Storage.prototype.getItem = function (key) { note('getItem ' + key); return planted; };
  const real = Object.getOwnPropertyDescriptor(window, 'localStorage') || Object.getOwnPropertyDescriptor(Window.prototype, 'localStorage');
  Object.defineProperty(window, 'localStorage', { configurable: true, get() { note('localStorage'); return real.get.call(this); } });
</script>
<h1>hostile</h1>`;

const session = useBrowserSession(() => ({ '/hostile': HOSTILE_PAGE }));

async function openTokens(panel: PanelHandle): Promise<void> {
  await addServer(panel, SERVER);
  await panel.waitFor(`!!document.querySelector('[data-testid="tokens"]')`, { message: 'the server card' });
  await panel.evaluate(() => void ((document.querySelector('[data-testid="tokens"]') as HTMLDetailsElement).open = true));
}

async function paste(panel: PanelHandle, name: string, token: string): Promise<void> {
  await panel.click(byTestId('keyring-mode-paste'));
  await panel.fill(byTestId('keyring-name'), name);
  await panel.fill(byTestId('keyring-token'), token);
  await panel.click(byTestId('keyring-submit'));
  await panel.waitFor(`document.querySelector('[data-testid="keyring-message"]')?.innerText === ${JSON.stringify(`Added "${name}"`)}`);
}

/** The same steps in panel.html opened in a tab (a Playwright page). */
const inTab = {
  async openTokens(page: Page): Promise<void> {
    await page.evaluate(() => void (document.querySelector('[data-testid="add-server-form"]')!.closest('details')!.open = true));
    await page.fill(`${byTestId('add-server-form')} ${byTestId('server-serverURL')}`, SERVER.serverURL);
    await page.fill(`${byTestId('add-server-form')} ${byTestId('server-applicationId')}`, SERVER.applicationId);
    await page.click(`${byTestId('add-server-form')} ${byTestId('server-submit')}`);
    await page.click(`${byTestId('tokens')} > summary`);
  },
  async paste(page: Page, name: string, token: string): Promise<void> {
    await page.click(byTestId('keyring-mode-paste'));
    await page.fill(byTestId('keyring-name'), name);
    await page.fill(byTestId('keyring-token'), token);
    await page.click(byTestId('keyring-submit'));
    await page.locator(byTestId('keyring-message'), { hasText: `Added "${name}"` }).waitFor();
  },
};

/** The token names and the Remember box as the panel shows them. */
function shown(): { names: string[]; remember: boolean | undefined } {
  return {
    names: [...document.querySelectorAll('[data-testid="keyring-entry"] strong')].map((e) => e.textContent ?? ''),
    remember: document.querySelector<HTMLInputElement>('[data-testid="keyring-persist"]')?.checked,
  };
}

/** Waits until the panel (DevTools or tab) shows these token names and this Remember setting. */
async function waitShown(panel: PanelHandle | Page, names: string[], remember: boolean): Promise<void> {
  const wanted = JSON.stringify({ names, remember });
  const read = () => ('tabId' in panel ? panel.evaluate(shown) : panel.evaluate(shown));
  await poll(async () => JSON.stringify(await read()) === wanted, { timeoutMs: 5_000, message: `the panel shows ${wanted}` });
}

/** Everything the extension keeps about the keyring, read in one of its pages: both storage areas and IndexedDB. */
function storedSecrets(extensionPage: Page) {
  return extensionPage.evaluate(async () => {
    type Area = { get(keys: string | null): Promise<Record<string, unknown>> };
    const { storage } = (globalThis as unknown as { chrome: { storage: { local: Area; session: Area } } }).chrome;
    const vault = await new Promise<unknown>((resolve, reject) => {
      const open = indexedDB.open('liveQueryDevtools');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('secrets')) return resolve(undefined);
        const get = db.transaction('secrets').objectStore('secrets').get('keyring');
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      };
    });
    return {
      local: JSON.stringify(await storage.local.get(null)),
      session: (await storage.session.get('keyring')).keyring as { name: string; token: string }[] | undefined,
      vault: vault as { name: string; token: string }[] | undefined,
    };
  });
}

test('two panels, one keyring: A turns Remember off and forgets a token, B adds one; storage holds exactly what both show', { timeout: 90_000 }, async () => {
  const pageA = await session.openPage();
  const { harness } = session;
  const pageB = await harness.newPage(session.pages.url());
  const a = await openDevToolsPanel(harness, pageA);
  const b = await openPanelTab(harness, pageB);
  await openTokens(a);
  await inTab.openTokens(b);

  await a.click(byTestId('keyring-persist'));
  await waitShown(a, [], true);
  await paste(a, 'alice', 'r:alice-0123456789');
  await paste(a, 'bob', 'r:bob-0123456789');
  await waitShown(b, ['alice', 'bob'], true);

  await a.click(byTestId('keyring-persist'));
  await a.click('[title="Forget alice"]');
  await waitShown(a, ['bob'], false);
  await waitShown(b, ['bob'], false);

  await inTab.paste(b, 'carol', 'r:carol-0123456789');
  await waitShown(a, ['bob', 'carol'], false);
  await waitShown(b, ['bob', 'carol'], false);

  const stored = await storedSecrets(b);
  assert.deepEqual(stored.session?.map((e) => e.name), ['bob', 'carol'], 'the session area holds exactly what both panels show');
  assert.equal(stored.vault, undefined, 'nothing remembered: Remember is off');
  for (const token of ['r:alice', 'r:bob', 'r:carol']) assert.ok(!stored.local.includes(token), `${token} is not in storage.local: ${stored.local}`);
  assert.deepEqual(a.errors, []);
});

test("a content script cannot read remembered tokens (the relay's isolated world sees neither storage area's secrets)", { timeout: 90_000 }, async () => {
  const { page, panel } = await session.openPanel();
  const { harness } = session;
  await openTokens(panel);
  await panel.click(byTestId('keyring-persist'));
  await waitShown(panel, [], true);
  const secret = 'r:remembered-0123456789abcdef';
  await paste(panel, 'alice', secret);

  // The relay's world in the inspected page: the context Chromium made for our content script.
  const cdp = await page.context().newCDPSession(page);
  const contexts: { id: number; origin: string; auxData?: { type?: string; isDefault?: boolean } }[] = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  const relay = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${harness.extensionId}`);
  assert.ok(relay, `the relay's isolated world among ${JSON.stringify(contexts)}`);
  const readInRelay = async (expression: string) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: relay.id, awaitPromise: true, returnByValue: true });
    assert.equal(exceptionDetails, undefined, JSON.stringify(exceptionDetails));
    return String(result.value);
  };
  const local = await readInRelay('chrome.storage.local.get(null).then((items) => JSON.stringify(items))');
  assert.ok(local.includes('liveQueryDevtools.watching'), `the relay does read storage.local: ${local}`);
  assert.ok(!local.includes(secret), `storage.local, as the content script sees it, has no token: ${local}`);
  const sessionArea = await readInRelay('chrome.storage.session.get(null).then((items) => JSON.stringify(items), (error) => "refused: " + error.message)');
  assert.ok(!sessionArea.includes(secret), `nor storage.session: ${sessionArea}`);
  const pageDb = await readInRelay('indexedDB.databases().then((list) => JSON.stringify(list))');
  assert.ok(!pageDb.includes('liveQueryDevtools'), `the page origin's IndexedDB is not the extension's: ${pageDb}`);

  const extensionPage = await harness.newPage(harness.extensionUrl('panel.html'));
  const stored = await storedSecrets(extensionPage);
  assert.deepEqual(stored.vault?.map((e) => e.token), [secret], 'the token is remembered (in the IndexedDB of the extension origin)');
});

test("From page reads the stored Parse user where the page's overrides of getItem and localStorage never run", { timeout: 90_000 }, async () => {
  const { page, panel } = await session.openPanel(session.pages.url('/hostile'));
  await openTokens(panel);
  await panel.click(byTestId('keyring-from-page'));
  await panel.waitFor(`document.querySelector('[data-testid="keyring-message"]')?.innerText.length > 0`);
  assert.equal(await panel.text(byTestId('keyring-message')), "Imported the page's user carol");
  assert.deepEqual(await panel.texts(`${byTestId('keyring-entry')} strong`), ['carol (page)']);
  await panel.click(`${byTestId('keyring-entry')} ${byTestId('secret')} button`);
  assert.equal(await panel.text(`${byTestId('keyring-entry')} ${byTestId('secret')} code`), PAGE_TOKEN);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.hooked ?? null), null, "the page's overrides were never called");
});

// Token provenance and radar in the real DevTools: a panel subscription on a keyring token that is then revoked (REST
// logout) is flagged at the next check, and one click resubscribes it with another keyring token so that events flow
// again; a page subscription shows which token applies and whose it is; adding a server checks its keys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedServer } from '../server/index.js';
import { createObject, logOut, signUp } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, openDevToolsPanel, type PanelHandle } from './harness/index.js';
import { useBrowserSession } from './support/browser-session.js';
import { addServer, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';

/** A page whose own socket connects with a session token (the connection's) and subscribes without one. */
const RADAR_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>token radar page</title>
<script>
window.openWithToken = (url, applicationId, javascriptKey, sessionToken) => new Promise((resolve, reject) => {
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => socket.send(JSON.stringify({ op: 'connect', applicationId, javascriptKey, sessionToken })));
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    if (frame.op === 'connected') socket.send(JSON.stringify({ op: 'subscribe', requestId: 7, query: { className: 'Message', where: {} } }));
    else if (frame.op === 'subscribed') resolve(true);
    else if (frame.op === 'error') reject(new Error(event.data));
  });
  socket.addEventListener('error', () => reject(new Error('socket error')));
});
</script>`;

const session = useBrowserSession(() => ({ '/radar.html': RADAR_PAGE }));
let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++seq}`;

async function openTokens(panel: PanelHandle): Promise<void> {
  await panel.evaluate(() => void ((document.querySelector('[data-testid="tokens"]') as HTMLDetailsElement).open = true));
}

async function paste(panel: PanelHandle, name: string, token: string): Promise<void> {
  await panel.click(byTestId('keyring-mode-paste'));
  await panel.fill(byTestId('keyring-name'), name);
  await panel.fill(byTestId('keyring-token'), token);
  await panel.click(byTestId('keyring-submit'));
  await panel.waitFor(`document.querySelector('[data-testid="keyring-message"]')?.innerText === ${JSON.stringify(`Added "${name}"`)}`);
}

function waitForText(panel: PanelHandle, selector: string, text: string, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(`[...document.querySelectorAll(${JSON.stringify(selector)})].some((e) => e.innerText.includes(${JSON.stringify(text)}))`, {
    timeoutMs,
    message: `${selector} saying "${text}"`,
  });
}

describe('token radar against the embedded server', () => {
  let embedded: EmbeddedServer;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  test('a revoked keyring token is flagged at the next check; one click resubscribes with another and events flow again', { timeout: 120_000 }, async () => {
    const alice = await signUp(embedded, unique('alice'), 'pw');
    const bob = await signUp(embedded, unique('bob'), 'pw');
    const { panel } = await session.openPanel();

    // Adding the server checks its application id and keys over REST, on the form and on the card.
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey, masterKey: embedded.masterKey });
    await waitForServerState(panel, 'connected');
    await panel.waitFor(`document.querySelector('[data-testid="server"] [data-testid="server-check"]')?.dataset.problem === 'ok'`, { message: 'the server check passed' });
    assert.match(await panel.text(`${byTestId('server')} ${byTestId('server-check-summary')}`), /the master key too \(Parse Server/);

    await openTokens(panel);
    await paste(panel, 'alice', alice.sessionToken);
    await paste(panel, 'bob', bob.sessionToken);
    // Checked as they were added: whose each token is.
    await waitForText(panel, '[data-testid="keyring-token-radar"]', alice.username);
    await waitForText(panel, '[data-testid="keyring-token-radar"]', bob.username);

    await subscribe(panel, { className: 'Message', sessionToken: alice.sessionToken });
    await waitForSubscriptionState(panel, 'subscribed');
    await panel.waitFor(`document.querySelector('[data-testid="subscription"] [data-testid="token-provenance"]')?.dataset.source === 'subscription'`);
    await waitForText(panel, '[data-testid="subscription"] [data-testid="token-verdict"][data-state="valid"]', alice.username);
    assert.ok(!(await panel.text(byTestId('subscription'))).includes(alice.sessionToken), 'the token stays masked');

    const forAlice = await createObject(embedded, 'Message', { text: 'for alice' }, { acl: { [alice.objectId]: { read: true } }, useMasterKey: true });
    await waitForRow(panel, 'create', forAlice.objectId);

    // Revoked behind the panel's back: the next check (on demand here) flags the live subscription.
    await logOut(embedded, alice.sessionToken);
    assert.equal(await panel.count(byTestId('token-alert')), 0, 'nothing flagged before a check');
    await panel.click(byTestId('token-check-all'));
    await panel.waitFor(`document.querySelector('[data-testid="subscription"] [data-testid="token-alert"]')?.dataset.state === 'revoked'`, { message: 'the revoked token flagged' });
    assert.match(await panel.text(byTestId('token-alert-advice')), /you should unsubscribe and subscribe again\. Otherwise, you may face a security issue/);
    await waitForRow(panel, 'error', 'token revoked');
    await panel.screenshot('token-radar/revoked.png');

    // One click: resubscribed with bob's token (the timeline says so), the flag goes, bob's objects arrive.
    await panel.click(`${byTestId('token-alert-resubscribe')}[data-token-name="bob"]`);
    await panel.waitFor(`!document.querySelector('[data-testid="token-alert"]')`, { message: 'the flag is gone' });
    await waitForSubscriptionState(panel, 'subscribed');
    await waitForText(panel, '[data-testid="subscription"] [data-testid="token-verdict"][data-state="valid"]', bob.username);
    const forBob = await createObject(embedded, 'Message', { text: 'for bob' }, { acl: { [bob.objectId]: { read: true } }, useMasterKey: true });
    await waitForRow(panel, 'create', forBob.objectId);
    assert.deepEqual(panel.errors, []);
  });

  test('with a short interval (the tokenCheckSeconds setting) the periodic check flags a revoked token by itself', { timeout: 60_000 }, async () => {
    const dave = await signUp(embedded, unique('dave'), 'pw');
    const page = await session.openPage();
    await session.harness.evaluateInServiceWorker(() =>
      (globalThis as unknown as { chrome: { storage: { local: { set(items: object): Promise<void> } } } }).chrome.storage.local.set({ panelSettings: { tokenCheckSeconds: 1 } }),
    );
    const panel = await openDevToolsPanel(session.harness, page);
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Message', sessionToken: dave.sessionToken });
    await waitForSubscriptionState(panel, 'subscribed');
    await waitForText(panel, '[data-testid="subscription"] [data-testid="token-verdict"][data-state="valid"]', dave.username);
    await logOut(embedded, dave.sessionToken);
    await panel.waitFor(`document.querySelector('[data-testid="subscription"] [data-testid="token-alert"]')?.dataset.state === 'revoked'`, {
      message: 'flagged by the periodic check, nothing clicked',
    });
    assert.equal(await panel.evaluate<string>(`document.querySelector('[data-testid="token-check-seconds"]').value`), '1');
    assert.deepEqual(panel.errors, []);
  });

  test("a page subscription shows the token that applies (the connection's) and whose it is", { timeout: 60_000 }, async () => {
    const carol = await signUp(embedded, unique('carol'), 'pw');
    const { page, panel } = await session.openPanel(session.pages.url('/radar.html'));
    await page.evaluate(
      ([url, app, js, token]) => (window as unknown as { openWithToken(...a: string[]): Promise<boolean> }).openWithToken(url!, app!, js!, token!),
      [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey, carol.sessionToken],
    );
    await panel.waitFor(`document.querySelector('[data-testid="page-subscription"] [data-testid="token-provenance"]')?.dataset.source === 'connection'`, {
      message: "the page subscription's provenance",
    });
    await waitForText(panel, '[data-testid="page-subscription"] [data-testid="token-verdict"][data-state="valid"]', carol.username);
    assert.match(await panel.text(`${byTestId('page-subscription')} ${byTestId('token-provenance')}`), new RegExp(`applies: the connection's token\\s+${carol.username} ${carol.objectId}`));
    assert.ok(!(await panel.text(byTestId('page-sockets'))).includes(carol.sessionToken), 'the token stays masked');
    await panel.screenshot('token-radar/page-provenance.png');
    assert.deepEqual(panel.errors, []);
  });

  test('adding a server with a wrong JavaScript key warns on the form and the card (adding is not blocked); Re-check after the fix', { timeout: 60_000 }, async () => {
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: 'not-the-key', masterKey: embedded.masterKey });
    await panel.waitFor(`document.querySelector('[data-testid="add-server-form"] [data-testid="server-check"]')?.dataset.problem === 'wrongJavaScriptKey'`, {
      message: 'the form says the JavaScript key is wrong',
    });
    // The first server folds "Add a server" away: the form's verdict is read as text, the card shows it anyway.
    assert.match(
      await panel.evaluate<string>(`document.querySelector('[data-testid="add-server-form"] [data-testid="server-check-summary"]').textContent`),
      /The JavaScript key is wrong/,
    );
    assert.match(await panel.text(`${byTestId('server')} ${byTestId('server-check-summary')}`), /The JavaScript key is wrong/);
    await panel.waitFor(`document.querySelector('[data-testid="server"] [data-testid="server-check"]')?.dataset.problem === 'wrongJavaScriptKey'`, {
      message: 'the card says so too',
    });
    assert.equal(await panel.count(byTestId('server')), 1, 'added anyway');

    await panel.click(`${byTestId('server')} ${byTestId('server-edit')}`);
    await panel.fill(`${byTestId('edit-server-form')} ${byTestId('server-javascriptKey')}`, embedded.javascriptKey);
    await panel.click(`${byTestId('edit-server-form')} ${byTestId('server-submit')}`);
    await panel.waitFor(`document.querySelector('[data-testid="server"] [data-testid="server-check"]')?.dataset.problem === 'ok'`, { message: 'checked again after the edit' });
    await panel.click(`${byTestId('server')} ${byTestId('server-recheck')}`);
    await panel.waitFor(`document.querySelector('[data-testid="server"] [data-testid="server-check"]')?.dataset.problem === 'ok'`);
    assert.deepEqual(panel.errors, []);
  });
});

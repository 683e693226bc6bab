// Lint in the real DevTools panel: the composer flags a query LiveQuery never matches while it is typed (before
// anything is sent, with the class's schema read with the master key) and still lets it be sent; a page subscription
// whose frame carried "sessionToken": null is flagged on its row, its well-formed sibling is not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedServer } from '../server/index.js';
import { createObject } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId } from './harness/index.js';
import { addServer, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';

/** A page speaking the raw protocol: subscription 1 with "sessionToken": null, subscription 2 without a token. */
const NULL_TOKEN_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>null token</title>
<script>
  const p = new URLSearchParams(location.search);
  const ws = new WebSocket(p.get('lq'));
  ws.onopen = () => ws.send(JSON.stringify({ op: 'connect', applicationId: p.get('app'), javascriptKey: p.get('js') }));
  ws.onmessage = (event) => {
    if (JSON.parse(event.data).op !== 'connected') return;
    ws.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} }, sessionToken: null }));
    ws.send(JSON.stringify({ op: 'subscribe', requestId: 2, query: { className: 'Game', where: { score: { $gt: 1, $exists: true } } } }));
  };
</script>`;

const session = useBrowserSession(() => ({ '/null-token.html': NULL_TOKEN_PAGE }));

describe('lint in the real DevTools panel', () => {
  let embedded: EmbeddedServer;
  before(async () => {
    embedded = await startTarget('embedded');
    await createObject(embedded, 'Game', { title: 'first', score: 1 }, { useMasterKey: true });
  });
  after(() => embedded.stop());

  test('the composer shows an unsupported operator\'s finding before sending, and still sends it', { timeout: 60_000 }, async () => {
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: embedded.liveQueryURL, applicationId: embedded.applicationId, javascriptKey: embedded.javascriptKey, masterKey: embedded.masterKey });
    await waitForServerState(panel, 'connected');
    await panel.fill(byTestId('subscribe-className'), 'Game');
    await panel.click(byTestId('where-mode-json'));
    await panel.fill(byTestId('subscribe-where'), '{"title": {"$text": {"$search": {"$term": "hello"}}}, "scroe": 2}');

    const finding = `${byTestId('subscribe-form')} [data-testid="lint-finding"][data-lint-id="unsupported-operator"]`;
    await panel.waitFor(`!!document.querySelector(${JSON.stringify(finding)})`, { message: 'the $text finding in the composer' });
    assert.equal(await panel.evaluate<string>(`document.querySelector(${JSON.stringify(finding)}).dataset.severity`), 'never');
    assert.equal(
      await panel.text(`${finding} ${byTestId('lint-message')}`),
      'title uses $text ({"$search":{"$term":"hello"}}), which the LiveQuery matcher does not support: it never matches',
    );
    assert.equal(await panel.text(`${finding} ${byTestId('lint-fix')}`), 'Fix: Use $regex instead of $text: {"title": {"$regex": "hello", "$options": "i"}}');
    assert.match(await panel.text(byTestId('lint-can-send')), /you can still subscribe to see its answer/);
    assert.equal(await panel.count(byTestId('lint-builder-check')), 0, 'the builder\'s check does not repeat a finding');
    // The schema, read with the master key once typing paused, knows there is no field "scroe".
    await panel.waitFor(`document.querySelector('[data-testid="subscribe-form"] [data-testid="lint-fields-note"]')?.innerText === 'Linted with the schema of Game (read with the master key).'`, {
      message: 'the schema note',
    });
    await panel.waitFor(`!!document.querySelector('[data-testid="subscribe-form"] [data-lint-id="where-unknown-field"]')`, { message: 'the unknown field finding' });
    assert.equal(await panel.count(byTestId('subscription')), 0, 'nothing was sent while typing');

    await panel.click(byTestId('subscribe-submit'));
    await waitForSubscriptionState(panel, 'subscribed');
    const badge = `${byTestId('subscription')} ${byTestId('lint-badge')}`;
    assert.equal(await panel.evaluate<string>(`document.querySelector(${JSON.stringify(badge)}).dataset.worst`), 'never');
    assert.equal(await panel.text(badge), '⊘ 1 never fires · ⚠ 1');
    await panel.click(badge);
    await panel.waitFor(`!!document.querySelector('[data-testid="subscription"] [data-testid="lint-badge-findings"] [data-lint-id="unsupported-operator"]')`, { message: 'the row\'s findings' });
    await panel.screenshot('lint/composer-and-row.png');
    assert.deepEqual(panel.errors, []);
  });

  test('a page subscription made with "sessionToken": null is flagged on its row', { timeout: 60_000 }, async () => {
    const url = session.pages.url(`/null-token.html?${new URLSearchParams({ lq: embedded.liveQueryURL, app: embedded.applicationId, js: embedded.javascriptKey })}`);
    const { panel } = await session.openPanel(url);
    const rows = '[data-testid="page-subscription"]';
    await panel.waitFor(`document.querySelectorAll('${rows} [data-testid="lint-badge"]').length === 2`, { message: 'two page subscriptions with badges' });
    const badges = await panel.evaluate<{ worst: string; text: string }[]>(
      `[...document.querySelectorAll('${rows} [data-testid="lint-badge"]')].map((b) => ({ worst: b.dataset.worst, text: b.innerText }))`,
    );
    assert.deepEqual(badges, [
      { worst: 'refused', text: '✖ 1 refused' },
      { worst: 'none', text: '✓ lint' },
    ]);
    await panel.click(`${rows} ${byTestId('lint-badge')}`);
    const message = `${rows} [data-lint-id="null-session-token"] [data-testid="lint-message"]`;
    await panel.waitFor(`!!document.querySelector(${JSON.stringify(message)})`, { message: 'the null token finding' });
    assert.match(await panel.text(message), /^The subscribe frame carries "sessionToken": null: Parse Server refuses it \(code 1/);
    assert.match(await panel.text(`${rows} [data-lint-id="null-session-token"] [data-testid="lint-fix"]`), /^Fix: Leave sessionToken out/);
    await panel.screenshot('lint/page-null-token.png');
    assert.deepEqual(panel.errors.filter((e) => !e.includes('WebSocket')), []);
  });
});

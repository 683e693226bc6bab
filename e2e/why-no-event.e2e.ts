// "Why no event?" in the real DevTools against a real Parse Server: a page subscription whose object its user cannot
// read (first without a master key: "this token cannot read it"; then with the server entry's master key: the ACL step,
// the user and the roles), the what-if editor, and the panel's own subscription picked from a recorded event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, request, signUp, type UserSession } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, poll, type PanelHandle } from './harness/index.js';
import { useBrowserSession } from './support/browser-session.js';
import { PARSE_APP_PAGE, panelText, parseSdkBrowserBuild, waitForPageSubscriptions } from './support/page-apps.js';
import { addServer, nth, resizeDevTools, subscribe, waitForRow, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';

const session = useBrowserSession(() => ({ '/parse.min.js': parseSdkBrowserBuild(), '/app.html': PARSE_APP_PAGE }));
const unique = () => Math.random().toString(36).slice(2, 10);


function waitForText(panel: PanelHandle, selector: string, text: string, timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(`document.querySelector(${JSON.stringify(selector)})?.innerText.includes(${JSON.stringify(text)})`, {
    timeoutMs,
    message: `${selector} saying "${text}"`,
  });
}


/** Parts of the Why view a user could not reach at this width: outside the viewport sideways, or the panel scrolls sideways. */
function narrowProblems(panel: PanelHandle): Promise<string[]> {
  return panel.evaluate(() => {
    const problems: string[] = [];
    for (const id of ['why-object-id', 'why-look', 'why-close', 'why-headline', 'why-whatif-object', 'why-step']) {
      const el = document.querySelector(`[data-testid="${id}"]`);
      if (!el) problems.push(`${id} is missing`);
      else {
        const r = el.getBoundingClientRect();
        if (r.left < -0.5 || r.right > innerWidth + 0.5 || r.width === 0) problems.push(`${id} is outside the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${innerWidth})`);
      }
    }
    if (document.documentElement.scrollWidth > innerWidth + 1) problems.push(`the panel scrolls sideways (${document.documentElement.scrollWidth} px)`);
    return problems;
  });
}

const stepOk = (panel: PanelHandle, verdict: string, step: string) =>
  panel.evaluate<string | undefined>(`document.querySelector('${byTestId(verdict)} [data-step="${step}"]')?.dataset.ok`);

describe('Why no event? against a real Parse Server', () => {
  let parse: ParseServerTarget;
  before(async () => {
    parse = await startTarget('parse-server');
  });
  after(() => parse.stop());

  /** A role readable by everyone, holding `users` and (its users inherit it) the roles `containing`. */
  async function createRole(name: string, users: UserSession[], containing: string[] = []): Promise<string> {
    const body: Record<string, unknown> = { name, ACL: { '*': { read: true } } };
    if (users.length) body.users = { __op: 'AddRelation', objects: users.map((u) => ({ __type: 'Pointer', className: '_User', objectId: u.objectId })) };
    if (containing.length) body.roles = { __op: 'AddRelation', objects: containing.map((objectId) => ({ __type: 'Pointer', className: '_Role', objectId })) };
    const created = await request(parse, 'POST', '/roles', body, { useMasterKey: true });
    return String(created.objectId);
  }

  async function loadApp(page: Page, user: UserSession, room: string): Promise<void> {
    const params = new URLSearchParams({ app: parse.applicationId, js: parse.javascriptKey, rest: parse.restURL, lq: parse.liveQueryURL, user: user.username, pw: 'secret-pw', room, min: '10' });
    await page.goto(session.pages.url(`/app.html?${params}`));
    await page.waitForFunction('window.__appReady || window.__appError', undefined, { timeout: 20_000 });
    assert.equal(await page.evaluate<string | undefined>('window.__appError'), undefined);
  }

  test('a page subscription whose object its user cannot read: the token cannot read it; with the master key, the ACL step, the user and the roles', { timeout: 120_000 }, async () => {
    const alice = await signUp(parse, `alice-${unique()}`, 'secret-pw');
    const bob = await signUp(parse, `bob-${unique()}`, 'secret-pw');
    const writers = `writers${unique()}`;
    const mods = `mods${unique()}`;
    await createRole(writers, [alice]);
    await createRole(mods, [bob]);
    const room = `room-${unique()}`;
    const { page, panel } = await session.openPanel();
    await loadApp(page, alice, room);
    await waitForPageSubscriptions(panel, 2);
    const hidden = await createObject(parse, 'Message', { room, text: 'for mods' }, { acl: { [`role:${mods}`]: { read: true }, [bob.objectId]: { read: true } }, useMasterKey: true });

    // No server entry: the page's own token reads, and cannot read it. That is the answer.
    await panel.click(await nth(panel, `${byTestId('page-subscription')} ${byTestId('why-open')}`, 1, 'why-page'));
    await panel.waitFor(`!!document.querySelector('[data-testid="why-view"]')`, { message: 'the Why no event? view' });
    await waitForText(panel, byTestId('why-identity'), `is ${alice.username} (${alice.objectId}) with roles [${writers}]`);
    await panel.fill(byTestId('why-object-id'), hidden.objectId);
    await panel.click(byTestId('why-look'));
    await waitForText(panel, byTestId('why-lookup'), `This token cannot read Message ${hidden.objectId}`);
    assert.equal(await panel.count(byTestId('why-now')), 0, 'no checklist without the object');

    // A server entry on the same URL with the master key: the object is read, and the ACL step says why.
    await panel.click(byTestId('why-close'));
    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey, masterKey: parse.masterKey });
    await waitForServerState(panel, 'connected');
    await panel.click(await nth(panel, `${byTestId('page-subscription')} ${byTestId('why-open')}`, 1, 'why-page'));
    await panel.fill(byTestId('why-object-id'), hidden.objectId);
    await panel.click(byTestId('why-look'));
    await panel.waitFor(`!!document.querySelector('[data-testid="why-now"]')`, { message: 'the checklist' });
    const headline = await panel.text(`${byTestId('why-now')} ${byTestId('why-headline')}`);
    // Parse Server keeps an ACL's entries in its own order: either reader may come first.
    const grants = [`role:${mods}`, `user ${bob.objectId}`];
    assert.ok(
      [grants, [...grants].reverse()].some(
        ([a, b]) => headline === `No event: ACL grants read to ${a} and ${b}; this token is ${alice.username} (${alice.objectId}) with roles [role:${writers}] — not readable`,
      ),
      headline,
    );
    assert.equal(await stepOk(panel, 'why-now', 'match-current'), 'true');
    assert.equal(await stepOk(panel, 'why-now', 'acl-current'), 'false');
    assert.match(await panel.text(byTestId('why-lookup')), /read with the server entry's master key/);
    assert.match(await panel.text(byTestId('why-causes')), /liveQuery\.classNames[\s\S]*afterLiveQueryEvent[\s\S]*cacheTimeout/);

    // What if the ACL granted alice read? The verdict follows the edit; invalid JSON keeps it, greyed, with a message.
    const edited = JSON.parse(await panel.evaluate<string>(`document.querySelector('[data-testid="why-whatif-object"]').value`)) as Record<string, unknown>;
    edited.ACL = { [`role:${writers}`]: { read: true } };
    await panel.fill(byTestId('why-whatif-object'), JSON.stringify(edited, null, 2));
    await panel.waitFor(`document.querySelector('[data-testid="why-whatif-verdict"]')?.dataset.event === 'enter'`, { message: 'what-if: enter' });
    assert.match(await panel.text(`${byTestId('why-whatif-verdict')} ${byTestId('why-headline')}`), /^Event: enter/);
    await panel.fill(byTestId('why-whatif-object'), '{"ACL": ');
    await waitForText(panel, byTestId('why-whatif-error'), 'The object is not valid JSON');
    assert.equal(await panel.count(`${byTestId('why-whatif-verdict')}.why-stale`), 1, 'the last good verdict stays, greyed');

    const text = await panelText(panel);
    for (const secret of [alice.sessionToken, parse.masterKey]) assert.ok(!text.includes(secret), 'secrets stay masked');
    await panel.screenshot('why-no-event/page-subscription.png');
    await resizeDevTools(session.harness, panel, 400);
    // The narrow layout follows the resize within a frame or two (a media query re-renders the panel): let it settle.
    await poll(async () => (await narrowProblems(panel)).length === 0, { timeoutMs: 3_000, intervalMs: 100 }).catch(() => undefined);
    assert.deepEqual(await narrowProblems(panel), [], 'at 400 px');
    await panel.screenshot('why-no-event/400px.png');
    assert.deepEqual(panel.errors, []);
  });

  test('pointer permissions on the class: the real server skips the event silently, and Why no event? names the class-level permissions', { timeout: 120_000 }, async () => {
    const alice = await signUp(parse, `alice-${unique()}`, 'secret-pw');
    const bob = await signUp(parse, `bob-${unique()}`, 'secret-pw');
    const room = `room-${unique()}`;
    const pointer = (u: UserSession) => ({ __type: 'Pointer', className: '_User', objectId: u.objectId });
    // `owner` must exist as a pointer to _User before a CLP can name it; find is then limited to owners.
    await createObject(parse, 'Message', { room: 'setup', owner: pointer(bob) }, { useMasterKey: true });
    const publicCLP = { find: { '*': true }, count: { '*': true }, get: { '*': true }, create: { '*': true }, update: { '*': true }, delete: { '*': true }, addField: { '*': true }, protectedFields: { '*': [] } };
    await request(parse, 'PUT', '/schemas/Message', { classLevelPermissions: { ...publicCLP, find: {}, readUserFields: ['owner'] } }, { useMasterKey: true });
    try {
      const { page, panel } = await session.openPanel();
      await loadApp(page, alice, room);
      await waitForPageSubscriptions(panel, 2);
      await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey, masterKey: parse.masterKey });
      await waitForServerState(panel, 'connected');
      const everyone = { '*': { read: true } };
      const bobs = await createObject(parse, 'Message', { room, text: 'owned by bob', owner: pointer(bob) }, { acl: everyone, useMasterKey: true });
      const alices = await createObject(parse, 'Message', { room, text: 'owned by alice', owner: pointer(alice) }, { acl: everyone, useMasterKey: true });
      // Events of one client come in order: alice's arrived, so bob's (written first) is not coming.
      await page.waitForFunction(`window.__events.includes('messages:create:${alices.objectId}')`, undefined, { timeout: 15_000 });
      assert.ok(!(await page.evaluate<string[]>('window.__events')).includes(`messages:create:${bobs.objectId}`), 'the server sent nothing for bob’s object');

      await panel.click(await nth(panel, `${byTestId('page-subscription')} ${byTestId('why-open')}`, 1, 'why-page'));
      await panel.fill(byTestId('why-object-id'), bobs.objectId);
      await panel.click(byTestId('why-look'));
      await waitForText(panel, `${byTestId('why-now')} ${byTestId('why-headline')}`, 'No event');
      assert.equal(
        await panel.text(`${byTestId('why-now')} ${byTestId('why-headline')}`),
        `No event: class-level permissions limit find to pointer fields [owner] and none points to user ${alice.objectId}: Parse Server skips the event silently`,
      );
      assert.equal(await stepOk(panel, 'why-now', 'clp'), 'false');
      await panel.fill(byTestId('why-object-id'), alices.objectId);
      await panel.click(byTestId('why-look'));
      await waitForText(panel, `${byTestId('why-now')} ${byTestId('why-headline')}`, 'Event: update');
      assert.equal(await stepOk(panel, 'why-now', 'clp'), 'true');
      assert.deepEqual(panel.errors, []);
    } finally {
      await request(parse, 'PUT', '/schemas/Message', { classLevelPermissions: publicCLP }, { useMasterKey: true });
    }
  });

  test('the panel’s own subscription: Why? on a recorded event explains it; an object the where leaves out names the constraint', { timeout: 120_000 }, async () => {
    const carol = await signUp(parse, `carol-${unique()}`, 'secret-pw');
    // carol is in `staff`; `leads` contains `staff` and `staff` contains `leads`: a cycle, as Parse Server lets one save.
    const staff = `staff${unique()}`;
    const leads = `leads${unique()}`;
    const staffId = await createRole(staff, [carol]);
    const leadsId = await createRole(leads, [], [staffId]);
    await request(parse, 'PUT', `/roles/${staffId}`, { roles: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: '_Role', objectId: leadsId }] } }, { useMasterKey: true });
    const room = `room-${unique()}`;
    const { panel } = await session.openPanel();
    await addServer(panel, { serverURL: parse.liveQueryURL, applicationId: parse.applicationId, javascriptKey: parse.javascriptKey });
    await waitForServerState(panel, 'connected');
    await subscribe(panel, { className: 'Message', where: JSON.stringify({ room }), sessionToken: carol.sessionToken });
    await waitForSubscriptionState(panel, 'subscribed');
    const seen = await createObject(parse, 'Message', { room, text: 'seen' }, { acl: { [carol.objectId]: { read: true } }, useMasterKey: true });
    const elsewhere = await createObject(parse, 'Message', { room: 'elsewhere', text: 'not seen' }, { acl: { '*': { read: true } }, useMasterKey: true });
    await waitForRow(panel, 'create', seen.objectId);

    // Why? from the event record: its objectId is picked, the recorded create is explained.
    await panel.click(await nth(panel, `[data-testid="timeline-row"][data-kind="create"]`, 0, 'create-row'));
    await panel.click(byTestId('why-record'));
    await panel.waitFor(`!!document.querySelector('[data-testid="why-recorded"]')`, { message: 'the recorded event checklist' });
    assert.equal(await panel.evaluate<string>(`document.querySelector('[data-testid="why-object-id"]').value`), seen.objectId);
    await waitForText(panel, `${byTestId('why-recorded')} ${byTestId('why-headline')}`, 'Event: create');
    await waitForText(panel, byTestId('why-identity'), `is ${carol.username} (${carol.objectId}) with roles [${staff}, ${leads} (through ${staff})]`);
    await waitForText(panel, byTestId('why-role-cycle'), `${staff} → ${leads} → ${staff}`);
    await waitForText(panel, `${byTestId('why-now')} ${byTestId('why-headline')}`, 'Event: update');
    assert.match(await panel.text(byTestId('why-lookup')), /read with the subscriber's token/);

    // Why? on a result row picks that object too.
    await panel.click(byTestId('why-close'));
    await panel.click(byTestId('show-results'));
    await panel.waitFor(`document.querySelectorAll('[data-testid="result-row"]').length === 1`, { message: 'one result row' });
    await panel.click(byTestId('why-result'));
    await panel.waitFor(`document.querySelector('[data-testid="why-object-id"]')?.value === ${JSON.stringify(seen.objectId)}`, { message: 'the row’s objectId picked' });
    await waitForText(panel, `${byTestId('why-now')} ${byTestId('why-headline')}`, 'Event: update');

    // The object the where leaves out: the matcher step names the constraint and the value it saw.
    await panel.fill(byTestId('why-object-id'), elsewhere.objectId);
    await panel.click(byTestId('why-look'));
    await waitForText(panel, `${byTestId('why-now')} ${byTestId('why-headline')}`, 'No event');
    assert.match(await panel.text(`${byTestId('why-now')} ${byTestId('why-headline')}`), new RegExp(`room.*"${room}".*"elsewhere"`));
    assert.equal(await stepOk(panel, 'why-now', 'match-current'), 'false');
    assert.equal(await panel.count(byTestId('why-recorded')), 0);

    // Bad input: not an objectId, then an id that does not exist (the token's answer is the same 101).
    await panel.fill(byTestId('why-object-id'), 'not an id');
    await panel.click(byTestId('why-look'));
    await waitForText(panel, byTestId('why-lookup'), 'is not an objectId');
    await panel.fill(byTestId('why-object-id'), 'doesNotExist');
    await panel.click(byTestId('why-look'));
    await waitForText(panel, byTestId('why-lookup'), 'This token cannot read Message doesNotExist');
    await panel.screenshot('why-no-event/own-subscription.png');
    assert.ok(!(await panelText(panel)).includes(carol.sessionToken), 'the token stays masked');
    assert.deepEqual(panel.errors, []);
  });
});

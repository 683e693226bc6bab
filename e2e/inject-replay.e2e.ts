// Inject and Replay end to end, in real Chromium with the real DevTools panel: synthetic events reach a Parse SDK
// page's own subscription (its DOM reacts, the database is untouched), "Send again" re-delivers a recorded event, a
// recording replays into the page's matching subscription (timing modes, navigation stops it), and a hostile page
// cannot cause an injection through any channel it can reach.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startEmbeddedServer, type EmbeddedServer } from '../server/index.js';
import { exportRecording } from '../src/timeline/export.js';
import type { TimelineRecord } from '../src/timeline/record.js';
import { createObject, request } from '../test/harness/rest.js';
import { byTestId, type PanelHandle } from './harness/index.js';
import { inPage, parseSdkBrowserBuild, RAW_CLIENT_SCRIPT, waitForPageRow, waitForPageSubscriptions } from './support/page-apps.js';
import { useBrowserSession } from './support/browser-session.js';

/**
 * A Parse app that renders the `Message` objects of one room from its subscription: one <li id="m-<objectId>"> per
 * object (its text), added on create/enter, changed on update, removed on leave/delete. It also notes what each
 * message event it got looked like (isTrusted, origin, ports, source), to see what a page can tell of an injection.
 */
const MESSAGES_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>messages</title>
<script>
  // Before the SDK loads (it keeps the WebSocket it finds): the app notes its socket and how its messages look.
  window.__looks = [];
  const NativeWebSocket = WebSocket;
  window.WebSocket = function (...args) {
    const socket = new NativeWebSocket(...args);
    socket.addEventListener('message', (e) => window.__looks.push({
      trusted: e.isTrusted, origin: e.origin, ports: e.ports.length, source: e.source, lastEventId: e.lastEventId,
      stack: String(new Error('probe').stack).split('\\n').slice(1),
    }));
    window.__socket = socket;
    return socket;
  };
</script>
<script src="/parse.min.js"></script>
<ul id="messages"></ul>
<script>
(async () => {
  const p = new URLSearchParams(location.search);
  Parse.initialize(p.get('app'), p.get('js'));
  Parse.serverURL = p.get('rest');
  Parse.liveQueryServerURL = p.get('lq');
  const list = document.getElementById('messages');
  const render = (object) => {
    let item = document.getElementById('m-' + object.id);
    if (!item) {
      item = document.createElement('li');
      item.id = 'm-' + object.id;
      list.append(item);
    }
    item.textContent = object.get('text');
  };
  const remove = (object) => document.getElementById('m-' + object.id)?.remove();
  const subscription = await new Parse.Query('Message').equalTo('room', p.get('room')).subscribe();
  for (const op of ['create', 'update', 'enter']) subscription.on(op, render);
  for (const op of ['leave', 'delete']) subscription.on(op, remove);
  window.__appReady = true;
})().catch((error) => { window.__appError = String((error && error.stack) || error); });
</script>`;

let server: EmbeddedServer;
before(async () => {
  server = await startEmbeddedServer({ port: 0 });
});
after(() => server.stop());

const session = useBrowserSession(() => ({
  '/parse.min.js': parseSdkBrowserBuild(),
  '/messages.html': MESSAGES_PAGE,
  '/lq-raw.js': RAW_CLIENT_SCRIPT,
  '/raw.html': `<!doctype html><meta charset="utf-8"><title>raw</title><script src="/lq-raw.js"></script><h1>raw</h1>`,
}));

/** The room's messages as the server's database has them. */
async function storedMessages(room: string): Promise<unknown[]> {
  const found = await request(server, 'GET', `/classes/Message?where=${encodeURIComponent(JSON.stringify({ room }))}`, undefined, { useMasterKey: true });
  return found.results as unknown[];
}

let rooms = 0;
const newRoom = () => `room-${process.pid}-${++rooms}`;

/** Opens the real DevTools panel on the messages app for `room`; waits until the app's subscription is confirmed. */
async function openApp(room: string): Promise<{ page: Page; panel: PanelHandle }> {
  const params = new URLSearchParams({ app: server.applicationId, js: server.javascriptKey, rest: server.restURL, lq: server.liveQueryURL, room });
  const opened = await session.openPanel(session.pages.url(`/messages.html?${params}`));
  await opened.page.waitForFunction('window.__appReady || window.__appError', undefined, { timeout: 20_000 });
  assert.equal(await opened.page.evaluate<string | undefined>('window.__appError'), undefined);
  await waitForPageSubscriptions(opened.panel, 1);
  return opened;
}

/** The messages the app renders, as `objectId: text`. */
const rendered = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('#messages li')].map((li) => `${li.id.slice(2)}: ${li.textContent}`));

async function waitRendered(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('#messages li')].map((li) => `${li.id.slice(2)}: ${li.textContent}`)) === want,
    JSON.stringify(expected),
    { timeout: 10_000 },
  );
}

/** Injects through the editor of the page's first subscription; waits for the editor's verdict and returns it. */
async function injectWithEditor(panel: PanelHandle, op: string, object: unknown, original?: unknown): Promise<string> {
  if (!(await panel.count(byTestId('inject-editor')))) await panel.click(byTestId('page-inject'));
  await panel.fill(byTestId('inject-op'), op);
  await panel.fill(byTestId('inject-object'), typeof object === 'string' ? object : JSON.stringify(object));
  if (original !== undefined) await panel.fill(byTestId('inject-original'), JSON.stringify(original));
  const before = await panel.evaluate(() => document.querySelectorAll('[data-testid="timeline-row"][data-injected="true"]').length);
  await panel.click(byTestId('inject-send'));
  await panel.waitFor(`(document.querySelector('[data-testid="inject-status"]')?.innerText ?? '').length > 0 && !document.querySelector('[data-testid="inject-status"]').innerText.includes('injecting')`);
  const status = await panel.text(byTestId('inject-status'));
  if (status === `${op} injected`) {
    await panel.waitFor(`document.querySelectorAll('[data-testid="timeline-row"][data-injected="true"]').length > ${before}`, { message: 'the injected row' });
  }
  return status;
}

test('inject create / update / delete into a Parse SDK page: its DOM reacts, the rows are marked, the database is untouched', { timeout: 90_000 }, async () => {
  const room = newRoom();
  const { page, panel } = await openApp(room);
  const object = { className: 'Message', objectId: 'inj1', room, text: 'from the panel', createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:00:00.000Z' };

  assert.equal(await injectWithEditor(panel, 'create', object), 'create injected');
  await waitRendered(page, ['inj1: from the panel']);
  const edited = { ...object, text: 'edited in the panel', updatedAt: '2026-12-02T10:00:01.000Z' };
  assert.equal(await injectWithEditor(panel, 'update', edited, object), 'update injected');
  await waitRendered(page, ['inj1: edited in the panel']);

  // Injected rows say so in the row and in the detail pane.
  const kinds = await panel.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"][data-injected="true"]')].map((r) => r.querySelector('.kind')?.textContent),
  );
  assert.deepEqual(kinds, ['create (injected)', 'update (injected)']);
  await panel.click(`[data-testid="timeline-row"][data-injected="true"][data-kind="update"]`);
  await panel.waitFor(`!!document.querySelector('[data-testid="detail-injected"]')`, { message: 'the detail says injected' });

  assert.equal(await injectWithEditor(panel, 'delete', edited), 'delete injected');
  await waitRendered(page, []);

  // Bad input: invalid JSON sends nothing (the editor says why and its button is off).
  await panel.fill(byTestId('inject-object'), '{"className": "Message",');
  await panel.waitFor(`document.querySelector('[data-testid="inject-draft-error"]')?.innerText.startsWith('object: invalid JSON')`);
  assert.equal(await panel.evaluate(() => (document.querySelector('[data-testid="inject-send"]') as HTMLButtonElement).disabled), true);

  // What the page saw: a message event like the server's (same origin, no ports or source), except isTrusted.
  const looks = await page.evaluate<{ trusted: boolean; origin: string; ports: number; source: unknown; lastEventId: string; stack: string[] }[]>('window.__looks');
  const injectedLooks = looks.slice(-3);
  assert.deepEqual(injectedLooks.map((l) => [l.origin, l.ports, l.source, l.lastEventId]), Array(3).fill([`ws://127.0.0.1:${server.port}`, 0, null, '']));
  // A stack taken in the listener holds the listener alone, as for a server frame: no frame of the extension below it.
  assert.deepEqual(injectedLooks.map((l) => l.stack), Array(3).fill(looks[0]!.stack));
  assert.equal(looks[0]!.stack.length, 1, looks[0]!.stack.join('\n'));
  assert.deepEqual(injectedLooks.map((l) => l.trusted), [false, false, false], 'a page can tell an injected event by isTrusted');
  assert.equal(looks[0]!.trusted, true);

  assert.deepEqual(await storedMessages(room), [], 'nothing injected reached the server or its database');
  assert.deepEqual(panel.errors, []);
});

test('"Send again" re-delivers a recorded event; a closed socket refuses an injection and says why', { timeout: 90_000 }, async () => {
  const room = newRoom();
  const { page, panel } = await openApp(room);
  const real = await createObject(server, 'Message', { room, text: 'from the server' });
  await waitRendered(page, [`${real.objectId}: from the server`]);
  await waitForPageRow(panel, 'create', real.objectId);

  // Removed from the app by an injected delete, then back by sending the server's create again.
  assert.equal(await injectWithEditor(panel, 'delete', { className: 'Message', objectId: real.objectId, room, text: 'x' }), 'delete injected');
  await waitRendered(page, []);
  await panel.click(`[data-testid="timeline-row"][data-kind="create"]:not([data-injected])`);
  await panel.click(byTestId('send-again'));
  await panel.waitFor(`document.querySelector('[data-testid="send-again-result"]')?.innerText === "create injected into the page's subscription #1"`);
  await waitRendered(page, [`${real.objectId}: from the server`]);

  // Edit & inject: the recorded event fills the editor, changed before it goes.
  await panel.click(byTestId('edit-inject'));
  await panel.waitFor(`document.querySelector('[data-testid="inject-op"]')?.value === 'create'`, { message: 'the editor holds the recorded create' });
  const recorded = JSON.parse(await panel.evaluate(() => (document.querySelector('[data-testid="inject-object"]') as HTMLTextAreaElement).value)) as Record<string, unknown>;
  assert.equal(recorded.objectId, real.objectId);
  assert.equal(await injectWithEditor(panel, 'update', { ...recorded, text: 'changed in the editor' }, recorded), 'update injected');
  await waitRendered(page, [`${real.objectId}: changed in the editor`]);

  // The app closes its socket: the open editor refuses, nothing is delivered.
  await page.evaluate(() => (window as unknown as { __socket: WebSocket }).__socket.close());
  await panel.waitFor(`document.querySelector('[data-testid="page-socket"]')?.dataset.state === 'closed'`, { message: 'the socket shows closed' });
  const status = await injectWithEditor(panel, 'create', { className: 'Message', objectId: 'late', room, text: 'too late' });
  assert.equal(status, 'the page socket is closed: nothing was injected');
  await page.waitForTimeout(200);
  assert.deepEqual(await rendered(page), [`${real.objectId}: changed in the editor`]);
});

/** A recording of a `Message room = <room>` subscription on another socket (requestId 7) with `count` creates `gapMs` apart. */
function recordingOf(room: string, count: number, gapMs: number): string {
  const T = Date.UTC(2026, 11, 2, 10);
  const base = { epoch: 'rec', source: { type: 'pageSocket' as const, socketId: 'old-socket', frameId: 0 }, summary: '', subscriptionKey: 'pageSocket:old-socket/7', requestId: 7 };
  const records: TimelineRecord[] = [
    { ...base, seq: 1, time: T, kind: 'sent', label: 'subscribe', raw: JSON.stringify({ op: 'subscribe', requestId: 7, query: { className: 'Message', where: { room } } }) },
  ];
  for (let i = 1; i <= count; i++) {
    const object = { className: 'Message', objectId: `rec${i}`, room, text: `recorded ${i}`, createdAt: new Date(T).toISOString(), updatedAt: new Date(T).toISOString() };
    records.push({ ...base, seq: i + 1, time: T + i * gapMs, kind: 'create', label: 'create', raw: JSON.stringify({ op: 'create', clientId: 'old', requestId: 7, object }) });
  }
  return exportRecording(records, { exportedAt: T, appVersion: 'test', redact: false });
}

/** Opens a recording in the Replay section, as if picked in its file dialog. */
async function openReplay(panel: PanelHandle, name: string, text: string): Promise<void> {
  await panel.evaluate(() => void ((document.querySelector('[data-testid="replay"]')!.closest('details') as HTMLDetailsElement).open = true));
  await panel.evaluate(
    ({ name, text }) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="replay-file"]')!;
      const files = new DataTransfer();
      files.items.add(new File([text], name, { type: 'application/json' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { name, text },
  );
}

const replayState = (panel: PanelHandle) => panel.evaluate(() => document.querySelector<HTMLElement>('[data-testid="replay"]')?.dataset.state);

test('replay a recording into the page: matched by class and where (requestId remapped), step, 10× and as fast as possible', { timeout: 90_000 }, async () => {
  const room = newRoom();
  const { page, panel } = await openApp(room);
  // Opened as a recording (Export / Import → Open recording…), then handed to Replay from its banner.
  await panel.evaluate(
    ({ text }) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="import-file"]')!;
      const files = new DataTransfer();
      files.items.add(new File([text], 'three.lqrec.json', { type: 'application/json' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { text: recordingOf(room, 3, 400) },
  );
  await panel.click(byTestId('replay-opened'));
  await panel.click(byTestId('close-recording'));
  await panel.waitFor(`document.querySelector('[data-testid="replay-match"]')?.dataset.matched === 'true'`, { message: 'the recorded subscription matches the page' });
  assert.match(await panel.text(byTestId('replay-match')), /Message \{"room":"room-[\w-]+"\} → page #1/);

  // Step by step: one event per click, the scrubber follows.
  await panel.click(byTestId('replay-step'));
  await waitRendered(page, ['rec1: recorded 1']);
  assert.equal(await panel.text(byTestId('replay-position')), '1 / 3');

  // The rest at 10×.
  await panel.fill(byTestId('replay-speed'), '10');
  await panel.click(byTestId('replay-play'));
  await waitRendered(page, ['rec1: recorded 1', 'rec2: recorded 2', 'rec3: recorded 3']);
  await panel.waitFor(`document.querySelector('[data-testid="replay"]')?.dataset.state === 'done'`);
  assert.equal(await panel.text(byTestId('replay-position')), '3 / 3');

  // Again from the scrubber's start, as fast as possible: three more injected creates.
  await panel.fill(byTestId('replay-speed'), 'max');
  await panel.fill(byTestId('replay-scrubber'), '0');
  await panel.click(byTestId('replay-play'));
  await panel.waitFor(`document.querySelector('[data-testid="replay"]')?.dataset.state === 'done'`);
  await panel.waitFor(`document.querySelectorAll('[data-testid="timeline-row"][data-injected="true"]').length === 6`, { message: 'six injected rows' });
  assert.match(await panel.text(byTestId('replay-status')), /^done: 6 delivered$/);
  assert.deepEqual(await storedMessages(room), [], 'nothing was written to the server');
});

test('replay at the recorded pace stops when the page navigates, and says so; a file of another version plays what it knows', { timeout: 90_000 }, async () => {
  const room = newRoom();
  const { page, panel } = await openApp(room);
  const future = JSON.parse(recordingOf(room, 3, 60_000)) as { version: number; records: Record<string, unknown>[] };
  future.version = 3;
  future.records.push({ ...future.records[1], kind: 'hologram' });
  await openReplay(panel, 'future.lqrec.json', JSON.stringify(future));
  await panel.waitFor(`document.querySelectorAll('[data-testid="replay-warning"]').length === 2`);
  assert.deepEqual(await panel.texts(byTestId('replay-warning')), [
    '⚠ recording format version 3 (this extension writes 2): playing the events it can read',
    '⚠ records of unknown kinds skipped: hologram (1)',
  ]);
  await panel.click(byTestId('replay-play'));
  await waitRendered(page, ['rec1: recorded 1']);
  assert.equal(await replayState(panel), 'playing', 'waiting a recorded minute for the next event');
  await page.reload();
  await panel.waitFor(`document.querySelector('[data-testid="replay"]')?.dataset.state === 'stopped'`, { message: 'the replay stops on navigation' });
  assert.equal(await panel.text(byTestId('replay-status')), 'the page navigated: stopped at event 2 of 3');
});

test('a hostile page cannot cause an injection: postMessage, custom events, a forged hook port, runtime messages, its own socket', { timeout: 90_000 }, async () => {
  const { page, panel } = await session.openPanel(session.pages.url('/raw.html'));
  await page.evaluate(
    ({ url, app, js }) => (window as unknown as { openLiveQuery: (...args: unknown[]) => Promise<unknown> }).openLiveQuery(url, app, js, [{ className: 'Message', where: {} }]).then((socket) => void ((window as unknown as { __raw: unknown }).__raw = socket)),
    { url: server.liveQueryURL, app: server.applicationId, js: server.javascriptKey },
  );
  await waitForPageSubscriptions(panel, 1);
  // The panel could inject into this socket; the page tries, with ids in the hook's format (a random prefix it cannot know).
  assert.equal(await panel.count(byTestId('page-inject')), 1);
  const forged = JSON.stringify({ op: 'create', clientId: 'x', requestId: 1, object: { className: 'Message', objectId: 'forged', text: 'forged' } });
  const attempts = await inPage(
    page,
    async ({ forged, extensionId }: { forged: string; extensionId: string }) => {
      const tried: string[] = [];
      const control = (socketId: string) => ({ type: 'inject', injectionId: 1, socketId, text: forged });
      const guesses = ['inject', 'liveQueryDevtools:inject', 'liveQueryDevtools:hook-port', '__liveQueryDevtoolsHook__', 'message'];
      for (let n = 1; n <= 5; n++) {
        for (const prefix of ['a', 'hook', '']) {
          const id = `${prefix}-${n}`;
          postMessage(control(id), '*');
          postMessage({ type: 'inject', socketId: id, text: forged }, '*');
          for (const type of guesses) {
            for (const target of [window, document]) target.dispatchEvent(new CustomEvent(type, { detail: JSON.stringify(control(id)) }));
          }
        }
      }
      tried.push('postMessage', 'CustomEvent');
      // A second handshake with a port of its own: the relay took the first one before any page script ran.
      const channel = new MessageChannel();
      postMessage('liveQueryDevtools:hook-port', '*', [channel.port2]);
      channel.port1.postMessage(control('a-1'));
      channel.port1.postMessage({ type: 'inject', socketId: 'a-1', text: forged });
      tried.push('forged port');
      const chrome = (window as unknown as { chrome?: { runtime?: { sendMessage?: (...args: unknown[]) => Promise<unknown> } } }).chrome;
      try {
        if (!chrome?.runtime?.sendMessage) tried.push('runtime.sendMessage unavailable to the page');
        else {
          await chrome.runtime.sendMessage(extensionId, { type: 'inject', socketId: 'a-1', text: forged });
          tried.push('runtime.sendMessage answered');
        }
      } catch (error) {
        tried.push(`runtime.sendMessage refused: ${String(error).slice(0, 80)}`);
      }
      // The socket itself: sending an inject control to the server is just a frame the server refuses.
      const raw = (window as unknown as { __raw: WebSocket & { events: unknown[] } }).__raw;
      raw.send(JSON.stringify(control('a-1')));
      tried.push('socket.send');
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { tried, events: raw.events.map((e) => JSON.stringify(e)) };
    },
    { forged, extensionId: session.harness.extensionId },
  );
  assert.ok(attempts.tried.includes('forged port'));
  assert.ok(!attempts.tried.includes('runtime.sendMessage answered'), attempts.tried.join('; '));
  assert.ok(!attempts.events.some((e) => e.includes('forged')), `the page's socket got no forged event: ${attempts.events.join('\n')}`);
  // What the page sent on its socket is its own frame (the server refuses it), recorded as sent, never as injected.
  await panel.waitFor(`[...document.querySelectorAll('[data-testid="timeline-row"][data-kind="sent"]')].some((r) => r.innerText.includes('invalid'))`, { message: 'the page’s own frame is recorded as sent' });
  assert.equal(await panel.count('[data-testid="timeline-row"][data-injected="true"]'), 0, 'nothing was injected');
  assert.equal(await panel.count('[data-testid="timeline-row"][data-kind="create"]'), 0, 'no event reached the timeline');
});

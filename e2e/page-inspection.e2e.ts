// Page inspection end to end: the inspected page's OWN LiveQuery sockets (the real Parse JS SDK against a real Parse
// Server, raw protocol clients against the embedded server, in the top frame and in iframes) appear in the real
// DevTools panel; other WebSockets do not and keep working; a hostile page cannot make the panel act or render HTML.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import type { EmbeddedServer as EmbeddedTarget } from '../server/index.js';
import type { ParseServerTarget } from '../test/harness/parse-server.js';
import { createObject, deleteObject, signUp, updateObject, type UserSession } from '../test/harness/rest.js';
import { startTarget } from '../test/harness/targets.js';
import { byTestId, isServiceWorkerRunning, openDevToolsPanel, stopServiceWorker } from './harness/index.js';
import {
  allTimelineRows,
  inPage,
  PARSE_APP_PAGE,
  pageSockets,
  panelText,
  parseSdkBrowserBuild,
  RAW_CLIENT_PAGE,
  RAW_CLIENT_SCRIPT,
  waitForPageRow,
  waitForPageSubscriptions,
} from './support/page-apps.js';
import { nth, rowTexts, waitForServerState, waitForSubscriptionState } from './support/panel-actions.js';
import { useBrowserSession } from './support/browser-session.js';
import { serveStaticPages, type StaticPages } from './support/static-page.js';

const HOOK_TAG = '__liveQueryDevtoolsHook__';
/** An HTML payload that runs script if anything renders it as markup. */
const IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1">';
const SCRIPT_PAYLOAD = '<script>window.__pwned=1</script>';

const session = useBrowserSession(() => ({
  '/parse.min.js': parseSdkBrowserBuild(),
  '/lq-raw.js': RAW_CLIENT_SCRIPT,
  '/app.html': PARSE_APP_PAGE,
  '/raw.html': RAW_CLIENT_PAGE,
}));
const openPanel = (url?: string) => session.openPanel(url);

/**
 * A page that tries to see the extension: from an inline script in <head> (the earliest a page script runs) it
 * listens for `message` (capture, bubble, onmessage) and for every CustomEvent type it can guess on window, document
 * and <html>, and it replaces postMessage, dispatchEvent, MessagePort.postMessage, CustomEvent and MessageEvent's
 * `data` to see calls it did not make itself. What it sees is kept in sessionStorage across reloads (`seen`).
 * `__forge()` sends every control it can think of; `__looks(url)` collects toString()s and stack traces.
 */
const SPY_PAGE = `<!doctype html><head><meta charset="utf-8"><title>spy</title><script>
(() => {
  const seen = JSON.parse(sessionStorage.getItem('seen') || '[]');
  const own = new Set();
  let forging = false;
  const text = (value) => { try { return typeof value === 'string' ? value : String(JSON.stringify(value)); } catch { return String(value); } };
  const record = (entry) => { seen.push(entry.slice(0, 300)); sessionStorage.setItem('seen', JSON.stringify(seen)); };
  const note = (where) => (event) => {
    const value = text(event.data !== undefined ? event.data : event.detail);
    if (!own.has(value)) record(where + ' ' + event.type + ' ' + value + (event.ports && event.ports.length ? ' +port' : ''));
  };
  addEventListener('message', note('window capture'), true);
  addEventListener('message', note('window bubble'));
  onmessage = note('onmessage');
  const guesses = ['__liveQueryDevtoolsHook__', '__liveQueryDevtoolsHookUrgent__', '__liveQueryDevtoolsHookControl__',
    'liveQueryDevtools:hook-port', 'liveQueryDevtools', 'livequery-devtools', 'liveQueryDevtoolsHook', 'message'];
  for (const type of guesses) {
    for (const [name, target] of [['window', window], ['document', document], ['html', document.documentElement]]) {
      target.addEventListener(type, note(name + ' capture'), true);
      target.addEventListener(type, note(name));
    }
  }
  const spyOn = (owner, key, name) => {
    const original = owner[key];
    owner[key] = function (...args) {
      if (!forging) record('call ' + name + ' ' + text(args[0]));
      return Reflect.apply(original, this, args);
    };
  };
  spyOn(window, 'postMessage', 'window.postMessage');
  spyOn(EventTarget.prototype, 'dispatchEvent', 'dispatchEvent');
  spyOn(MessagePort.prototype, 'postMessage', 'MessagePort.postMessage');
  const NativeCustomEvent = CustomEvent;
  window.CustomEvent = function (type, init) { if (!forging) record('new CustomEvent ' + type); return new NativeCustomEvent(type, init); };
  const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  // The page's own scripts read it too (its socket listeners): only reads from elsewhere are noted.
  const pageCode = /spy\\.html|lq-raw\\.js/;
  Object.defineProperty(MessageEvent.prototype, 'data', { ...data, get() {
    if (!forging && !pageCode.test(String(new Error().stack).split('\\n')[2])) record('read MessageEvent.data');
    return data.get.call(this);
  } });

  window.__seen = () => seen;
  window.__forge = () => {
    forging = true;
    try {
      const post = (value, transfer) => { own.add(text(value)); postMessage(value, '*', transfer); };
      for (const detail of ['watch:0', '{"type":"unwatch","generation":1,"delivered":0}', 'unwatch:999', 'unwatch:0']) {
        own.add(detail);
        for (const type of guesses) for (const target of [window, document]) target.dispatchEvent(new NativeCustomEvent(type, { detail }));
      }
      for (let generation = 0; generation < 10; generation++) post({ type: 'unwatch', generation, delivered: 0 });
      post({ tag: '__liveQueryDevtoolsHook__', type: 'unwatch', events: [] });
      const channel = new MessageChannel();
      post('liveQueryDevtools:hook-port', [channel.port2]);
      channel.port1.postMessage({ type: 'unwatch', generation: 1, delivered: 0 });
      channel.port1.postMessage({ type: 'hello', syncEvent: 'abcdefghijklmnopqrstuvwx' });
    } finally {
      forging = false;
    }
  };
  window.__looks = (url) => new Promise((resolve) => {
    forging = true;
    const out = {
      toStrings: [String(WebSocket), String(WebSocket.prototype.send), Function.prototype.toString.call(Function.prototype.toString),
        String(Function.prototype.toString), String(WebSocket.prototype.constructor)],
      shape: [WebSocket.name, WebSocket.length, WebSocket.prototype.send.name, WebSocket.prototype.send.length,
        WebSocket.prototype.constructor === WebSocket],
    };
    const early = new WebSocket(url);
    out.instance = early instanceof WebSocket;
    try { early.send('too early'); } catch (error) { out.sendError = error.stack; }
    try { WebSocket.prototype.send.call({}, 'x'); } catch (error) { out.illegal = error.stack; }
    early.close();
    const socket = new WebSocket(url);
    socket.onopen = () => {
      socket.send({ toString() { out.insideSend = new Error('inside send').stack; return '{"op":"connect","applicationId":"x"}'; } });
      socket.close();
      forging = false;
      resolve(out);
    };
  });
})();
</script><script src="/lq-raw.js"></script></head><h1>spy</h1>`;


const unique = () => Math.random().toString(36).slice(2, 10);

/**
 * A LiveQuery server that puts HTML wherever it can: clientId, and a create whose object is full of it (className,
 * objectId `forgedObject`), right after each subscribe.
 */
async function startHostileLiveQueryServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { op?: string; requestId?: number };
      if (frame.op === 'connect') socket.send(JSON.stringify({ op: 'connected', clientId: SCRIPT_PAYLOAD }));
      if (frame.op !== 'subscribe') return;
      socket.send(JSON.stringify({ op: 'subscribed', clientId: SCRIPT_PAYLOAD, requestId: frame.requestId }));
      const object = { className: IMG_PAYLOAD, objectId: 'forgedObject', html: IMG_PAYLOAD, script: SCRIPT_PAYLOAD };
      socket.send(JSON.stringify({ op: 'create', clientId: SCRIPT_PAYLOAD, requestId: frame.requestId, object }));
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a Parse JS SDK app against a real Parse Server', () => {
  let parse: ParseServerTarget;
  before(async () => {
    parse = await startTarget('parse-server');
  });
  after(() => parse.stop());

  /** Loads (or reloads) the app page for a user signed up through REST; waits until both subscriptions are subscribed. */
  async function loadApp(page: Page, user: UserSession, room: string, options: { reload?: boolean } = {}): Promise<string> {
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
    if (options.reload) await page.reload();
    else await page.goto(session.pages.url(`/app.html?${params}`));
    await page.waitForFunction('window.__appReady || window.__appError', undefined, { timeout: 20_000 });
    const error = await page.evaluate<string | undefined>('window.__appError');
    assert.equal(error, undefined, `the app failed: ${error}`);
    return page.evaluate<string>('window.__sessionToken');
  }

  test('the page’s socket and subscriptions, its events live, masked tokens, preserve log across reloads', { timeout: 60_000 }, async () => {
    const user = await signUp(parse, `page-${unique()}`, 'secret-pw');
    const room = `room-${unique()}`;
    const { page, panel } = await openPanel();
    const token = await loadApp(page, user, room);
    assert.notEqual(token, user.sessionToken, 'the SDK logged in with its own session');

    // The socket: URL, app, clientId, open; both subscriptions with class and where, one anonymous, one with a token.
    await waitForPageSubscriptions(panel, 2);
    const [socket, ...others] = await pageSockets(panel);
    assert.equal(others.length, 0);
    assert.equal(socket.state, 'open');
    assert.equal(socket.url, parse.liveQueryURL);
    assert.match(socket.header, new RegExp(`^127\\.0\\.0\\.1:${parse.port}/parse open \\| `));
    assert.match(socket.header, /app lq-app/);
    assert.match(socket.header, /clientId [0-9a-f-]{36}/);
    assert.doesNotMatch(socket.header, /frame |token/, 'top frame, and the connect had no session token');
    const [games, messages] = socket.subscriptions;
    assert.match(games.text, /^#1 Game \{"score":\{"\$gt":10\}\} subscribed c0 u0 e0 l0 d0 token none/);
    assert.match(messages.text, new RegExp(`^#2 Message \\{"room":"${room}"\\} subscribed c0 u0 e0 l0 d0 token •{8}${token.slice(-3)}\\b`));

    // The raw token is nowhere in the panel until "show" is clicked, and gone again after "hide".
    assert.ok(!(await panelText(panel)).includes(token), 'the session token is masked');
    const reveal = await nth(panel, `${byTestId('page-subscription')} ${byTestId('secret')} button`, 0, 'reveal');
    await panel.click(reveal);
    await panel.waitFor(`document.body.innerText.includes(${JSON.stringify(token)})`, { message: 'token revealed' });
    await panel.click(reveal);
    await panel.waitFor(`!document.body.innerText.includes(${JSON.stringify(token)})`, { message: 'token hidden again' });

    // Writes through REST: each event reaches the page's subscription and the panel shows it as page traffic.
    const mine = { [user.objectId]: { read: true, write: true } };
    const message = await createObject(parse, 'Message', { room, text: 'hello' }, { acl: mine });
    await waitForPageRow(panel, 'create', message.objectId);
    const game = await createObject(parse, 'Game', { name: 'page', score: 20 });
    await waitForPageRow(panel, 'create', game.objectId);
    await updateObject(parse, 'Message', message.objectId, { text: 'edited' }, { sessionToken: user.sessionToken });
    await waitForPageRow(panel, 'update', message.objectId);
    await updateObject(parse, 'Message', message.objectId, {}, { acl: { someoneElse: { read: true } }, useMasterKey: true });
    await waitForPageRow(panel, 'leave', message.objectId);
    await updateObject(parse, 'Message', message.objectId, {}, { acl: mine, useMasterKey: true });
    await waitForPageRow(panel, 'enter', message.objectId);
    await deleteObject(parse, 'Message', message.objectId, { useMasterKey: true });
    await waitForPageRow(panel, 'delete', message.objectId);
    await panel.waitFor(
      `[...document.querySelectorAll('[data-testid="page-subscription-counts"]')].map((e) => e.innerText).join('|') === 'c1 u0 e0 l0 d0|c1 u1 e1 l1 d1'`,
      { message: 'page subscription counts' },
    );
    assert.deepEqual(
      (await page.evaluate<string[]>('window.__events')).sort(),
      [`games:create:${game.objectId}`, ...['create', 'delete', 'enter', 'leave', 'update'].map((op) => `messages:${op}:${message.objectId}`)].sort(),
      'the app itself got every event (inspection changed nothing)',
    );
    const firstLoad = await allTimelineRows(panel);
    const events = firstLoad.filter((r) => ['create', 'update', 'enter', 'leave', 'delete'].includes(r.kind));
    assert.deepEqual(events.map((r) => r.kind), ['create', 'create', 'update', 'leave', 'enter', 'delete']);
    assert.ok(events.every((r) => r.fromPage && r.text.includes(`page 127.0.0.1:${parse.port}/parse`)), 'marked as page traffic');
    assert.ok(firstLoad.some((r) => r.kind === 'sent' && r.text.includes('↑ connect')));
    assert.ok(firstLoad.some((r) => r.kind === 'received' && r.text.includes('↓ connected')));
    assert.ok(!(await panelText(panel)).includes(token), 'the token is not in any row');
    await panel.screenshot('page-inspection.png');

    // Reload with preserve log ON: both page loads are in the timeline; the old socket is closed, the new one open.
    await panel.click(byTestId('preserve-log'));
    assert.equal(await panel.evaluate<boolean>(`document.querySelector('[data-testid="preserve-log"]').checked`), true);
    const secondToken = await loadApp(page, user, room, { reload: true });
    await waitForPageSubscriptions(panel, 2);
    await panel.waitFor(`document.querySelectorAll('[data-testid="page-socket"]').length === 2`, { message: 'old and new socket' });
    assert.deepEqual((await pageSockets(panel)).map((s) => s.state), ['closed', 'open']);
    const second = await createObject(parse, 'Message', { room, text: 'second load' }, { acl: mine });
    await waitForPageRow(panel, 'create', second.objectId);
    const preserved = await allTimelineRows(panel);
    assert.equal(preserved.filter((r) => r.kind === 'connection' && r.text.includes('navigated')).length, 2, 'two page loads');
    for (const id of [message.objectId, game.objectId, second.objectId]) {
      assert.ok(preserved.some((r) => r.kind === 'create' && r.text.includes(id)), `create ${id} kept`);
    }
    assert.ok(preserved.some((r) => r.kind === 'delete' && r.text.includes(message.objectId)));
    assert.ok(!(await panelText(panel)).includes(secondToken));

    // Reload with preserve log OFF: the timeline starts over with the new page load and only its socket is shown.
    await panel.click(byTestId('preserve-log'));
    assert.equal(await panel.evaluate<boolean>(`document.querySelector('[data-testid="preserve-log"]').checked`), false);
    await loadApp(page, user, room, { reload: true });
    await panel.waitFor(
      `document.querySelectorAll('[data-testid="page-socket"]').length === 1 && document.querySelectorAll('[data-testid="page-subscription"][data-state="subscribed"]').length === 2`,
      { message: 'only the new socket' },
    );
    const reset = await allTimelineRows(panel);
    assert.equal(reset[0]?.kind, 'connection');
    assert.match(reset[0]!.text, /navigated/);
    assert.equal(reset.filter((r) => r.text.includes('navigated')).length, 1);
    assert.ok(!reset.some((r) => [message.objectId, game.objectId, second.objectId].some((id) => r.text.includes(id))), 'older records gone');
    assert.deepEqual(panel.errors, []);
  });

  test(
    'selecting the subscribe frame that carries the session token keeps the token masked in the detail pane',
    { timeout: 60_000 },
    async () => {
      const user = await signUp(parse, `detail-${unique()}`, 'secret-pw');
      const { page, panel } = await openPanel();
      const token = await loadApp(page, user, `room-${unique()}`);
      await waitForPageSubscriptions(panel, 2);
      const index = await panel.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"][data-kind="sent"]')].findIndex((r) => r.innerText.includes('(session token)')),
      );
      await panel.click(await nth(panel, '[data-testid="timeline-row"][data-kind="sent"]', index, 'token-frame'));
      await panel.waitFor(`document.querySelector('[data-testid="detail"]')?.innerText.includes('sessionToken')`, { message: 'detail of the subscribe frame' });
      assert.ok(!(await panelText(panel)).includes(token), 'JSON tree: the token is masked');
      await panel.click(byTestId('detail-tab-raw'));
      assert.ok(!(await panelText(panel)).includes(token), 'Raw tab: the token is masked');
    },
  );

  test('"Subscribe from panel" on a page subscription: a panel-owned server and subscription with the same URL, app and token', { timeout: 60_000 }, async () => {
    const user = await signUp(parse, `adopt-${unique()}`, 'secret-pw');
    const room = `room-${unique()}`;
    const { page, panel } = await openPanel();
    const token = await loadApp(page, user, room);
    await waitForPageSubscriptions(panel, 2);
    assert.equal(await panel.count(byTestId('server')), 0);

    await panel.click(await nth(panel, byTestId('adopt-page-subscription'), 1, 'adopt'));
    await panel.waitFor(`document.querySelector('[data-testid="adopt-result"]')?.innerText.includes('Subscribed from the panel')`, {
      message: 'adopt result',
    });
    await waitForServerState(panel, 'connected');
    await waitForSubscriptionState(panel, 'subscribed');
    assert.equal(await panel.count(byTestId('server')), 1);
    assert.equal(await panel.count(byTestId('subscription')), 1);
    assert.equal(await panel.evaluate<string>(`document.querySelector('[data-testid="server"] strong').title`), parse.liveQueryURL);
    assert.match(await panel.text(byTestId('server')), /app lq-app/);
    assert.match(await panel.text(byTestId('subscription')), new RegExp(`Message[\\s\\S]*${room}`));
    assert.ok(!(await panelText(panel)).includes(token), 'the adopted token stays masked');

    // The object is readable by the user only: the panel's own subscription sees it, so it carries the page's token.
    const message = await createObject(parse, 'Message', { room, text: 'adopted' }, { acl: { [user.objectId]: { read: true } } });
    await waitForPageRow(panel, 'create', message.objectId);
    await panel.waitFor(
      `[...document.querySelectorAll('[data-testid="timeline-row"][data-kind="create"]:not(.from-page)')].some((r) => r.innerText.includes(${JSON.stringify(message.objectId)}))`,
      { message: 'the panel-owned subscription got the create' },
    );
    assert.match(await panel.text(byTestId('subscription-counts')), /c1 u0 e0 l0 d0/);
    assert.equal(await panel.count(byTestId('page-socket')), 1, 'the panel’s own socket is not a page socket');
    assert.deepEqual(panel.errors, []);
  });
});

describe('raw LiveQuery clients and other WebSockets against the embedded server', () => {
  let embedded: EmbeddedTarget;
  before(async () => {
    embedded = await startTarget('embedded');
  });
  after(() => embedded.stop());

  const rawClientURL = (base: StaticPages, className: string, where: object) =>
    base.url(
      `/raw.html?${new URLSearchParams({
        lq: embedded.liveQueryURL,
        app: embedded.applicationId,
        js: embedded.javascriptKey,
        className,
        where: JSON.stringify(where),
      })}`,
    );

  test('non-LiveQuery WebSockets (text echo, binary, other JSON, an echoed connect) are not shown and behave natively', { timeout: 60_000 }, async () => {
    const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    await new Promise((resolve) => echo.once('listening', resolve));
    const echoPort = (echo.address() as { port: number }).port;
    try {
      const { page, panel } = await openPanel(session.pages.url('/raw.html'));
      const checks = await inPage(page, async (echoURL: string) => {
        const opened = (ws: WebSocket) =>
          new Promise<void>((resolve, reject) => {
            ws.addEventListener('open', () => resolve(), { once: true });
            ws.addEventListener('error', () => reject(new Error('error')), { once: true });
          });
        const next = (ws: WebSocket) => new Promise<MessageEvent>((resolve) => ws.addEventListener('message', resolve, { once: true }));
        const closed = (ws: WebSocket) => new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve, { once: true }));
        const out: Record<string, unknown> = {};
        out.name = WebSocket.name;
        out.length = WebSocket.length;
        out.constants = [WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED];
        out.source = Function.prototype.toString.call(WebSocket);
        out.sendToString = Function.prototype.toString.call(WebSocket.prototype.send);
        out.protoConstructor = WebSocket.prototype.constructor === WebSocket;
        out.descriptor = (({ writable, enumerable, configurable }) => ({ writable, enumerable, configurable }))(
          Object.getOwnPropertyDescriptor(window, 'WebSocket')!,
        );
        try {
          (WebSocket as unknown as (url: string) => void)(echoURL);
          out.callWithoutNew = 'no error';
        } catch (error) {
          out.callWithoutNew = (error as Error).constructor.name;
        }
        try {
          new WebSocket('http://[not a url');
          out.badURL = 'no error';
        } catch (error) {
          out.badURL = `${(error as DOMException).name} ${error instanceof DOMException}`;
        }

        // 1. Plain text, and send() of a non-string (converted with ToString, as natively).
        const text = new WebSocket(echoURL);
        out.instance = [text instanceof WebSocket, text instanceof EventTarget, Object.prototype.toString.call(text), text.constructor === WebSocket];
        await opened(text);
        text.send('hello, echo');
        out.text = (await next(text)).data;
        const viaHandler = new Promise<string>((resolve) => (text.onmessage = (event) => resolve(event.data as string)));
        text.send(12345 as unknown as string);
        out.number = await viaHandler;
        text.close(4000, 'bye');
        out.close = await closed(text).then((e) => [e.code, e.reason, e.wasClean, text.readyState]);

        // 2. Binary both ways (ArrayBuffer and Blob).
        const binary = new WebSocket(echoURL);
        binary.binaryType = 'arraybuffer';
        await opened(binary);
        binary.send(new Uint8Array([1, 2, 3, 250]));
        out.binary = [...new Uint8Array((await next(binary)).data as ArrayBuffer)];
        binary.send(new Blob([new Uint8Array([9, 8, 7])]));
        out.blob = [...new Uint8Array((await next(binary)).data as ArrayBuffer)];
        out.bufferedAmount = binary.bufferedAmount;
        binary.close();

        // 3. JSON that is not LiveQuery (a pub/sub protocol that also uses "op").
        const json = new WebSocket(echoURL, ['json.v1']);
        await opened(json);
        json.send(JSON.stringify({ op: 'publish', channel: 'prices', data: { eur: 1 } }));
        out.json = JSON.parse((await next(json)).data as string);
        out.protocol = json.protocol;
        json.close();

        // 4. A LiveQuery connect to an echo server: the echo is not a server frame, so the socket is not LiveQuery.
        const echoed = new WebSocket(echoURL);
        await opened(echoed);
        echoed.send(JSON.stringify({ op: 'connect', applicationId: 'echo-app' }));
        out.echoedConnect = JSON.parse((await next(echoed)).data as string);
        echoed.close();

        // 5. A subclass of WebSocket.
        class Chat extends WebSocket {
          hello(): string {
            return 'hi';
          }
        }
        const chat = new Chat(echoURL);
        out.subclass = [chat instanceof Chat, chat instanceof WebSocket, chat.hello(), Object.getPrototypeOf(Chat) === WebSocket];
        await opened(chat);
        chat.send('sub');
        out.subclassEcho = (await next(chat)).data;
        chat.close();
        return out;
      }, `ws://127.0.0.1:${echoPort}/`);

      assert.deepEqual(checks, {
        name: 'WebSocket',
        length: 1,
        constants: [0, 1, 2, 3],
        source: 'function WebSocket() { [native code] }',
        sendToString: 'function send() { [native code] }',
        protoConstructor: true,
        descriptor: { writable: true, enumerable: false, configurable: true },
        callWithoutNew: 'TypeError',
        badURL: 'SyntaxError true',
        instance: [true, true, '[object WebSocket]', true],
        text: 'hello, echo',
        number: '12345',
        close: [4000, 'bye', true, 3],
        binary: [1, 2, 3, 250],
        blob: [9, 8, 7],
        bufferedAmount: 0,
        json: { op: 'publish', channel: 'prices', data: { eur: 1 } },
        protocol: 'json.v1',
        echoedConnect: { op: 'connect', applicationId: 'echo-app' },
        subclass: [true, true, 'hi', true],
        subclassEcho: 'sub',
      });

      // Then a real LiveQuery socket from the same page: it (and only it) shows, so the pipeline was working all along.
      await page.evaluate(
        ([url, app, js]) => (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, js, [{ className: 'Note', where: { kind: 'control' } }]),
        [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey],
      );
      await waitForPageSubscriptions(panel, 1);
      const sockets = await pageSockets(panel);
      assert.deepEqual(sockets.map((s) => s.url), [embedded.liveQueryURL]);
      const rows = await allTimelineRows(panel);
      assert.ok(rows.length > 0);
      assert.ok(!rows.some((r) => r.text.includes(String(echoPort)) || r.text.includes('echo') || r.text.includes('prices')), JSON.stringify(rows));
      assert.ok(!(await panelText(panel)).includes(`:${echoPort}`));
      assert.deepEqual(panel.errors, []);
    } finally {
      for (const client of echo.clients) client.terminate();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  test('a LiveQuery socket inside an iframe from another port is shown and attributed to its frame', { timeout: 60_000 }, async () => {
    const framePages = await serveStaticPages({ '/lq-raw.js': RAW_CLIENT_SCRIPT, '/frame.html': RAW_CLIENT_PAGE });
    const scope = `frame-${unique()}`;
    const frameURL = rawClientURL(framePages, 'Item', { scope });
    const topPages = await serveStaticPages({
      '/lq-raw.js': RAW_CLIENT_SCRIPT,
      '/top.html': `<!doctype html><title>top</title><script src="/lq-raw.js"></script><h1>top</h1>
        <iframe id="child" src=${JSON.stringify(frameURL.replace('/raw.html', '/frame.html'))}></iframe>`,
    });
    try {
      const { page, panel } = await openPanel();
      await page.goto(topPages.url('/top.html'));
      // The top frame has its own LiveQuery socket too.
      await page.evaluate(
        ([url, app, js]) => (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, js, [{ className: 'Item', where: { scope: 'top' } }]),
        [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey],
      );
      const frame = page.frames().find((f) => f.url().includes('/frame.html'));
      assert.ok(frame, 'the iframe loaded');
      await frame.waitForFunction('window.__appReady || window.__appError');
      assert.equal(await frame.evaluate('window.__appError'), undefined);

      await waitForPageSubscriptions(panel, 2);
      const sockets = await pageSockets(panel);
      assert.equal(sockets.length, 2);
      const framed = sockets.filter((s) => s.header.includes('frame '));
      assert.equal(framed.length, 1, JSON.stringify(sockets));
      const framePort = new URL(framePages.url()).port;
      assert.match(framed[0]!.header, new RegExp(`frame 127\\.0\\.0\\.1:${framePort}/frame\\.html`));
      assert.match(framed[0]!.subscriptions[0]!.text, new RegExp(`Item \\{"scope":"${scope}"\\} subscribed`));
      const top = sockets.find((s) => !s.header.includes('frame '))!;
      assert.match(top.subscriptions[0]!.text, /Item \{"scope":"top"\} subscribed/);

      const item = await createObject(embedded, 'Item', { scope });
      await waitForPageRow(panel, 'create', item.objectId);
      const row = (await rowTexts(panel)).find((r) => r.kind === 'create' && r.text.includes(item.objectId));
      assert.match(row!.text, /page frame \d+ 127\.0\.0\.1:\d+\/parse/, 'the row names the frame');
      assert.equal(await frame.evaluate(`window.__socket && true`), true);
      await panel.waitFor(
        `[...document.querySelectorAll('[data-testid="page-subscription-counts"]')].map((e) => e.innerText).sort().join('|') === 'c0 u0 e0 l0 d0|c1 u0 e0 l0 d0'`,
        { message: 'only the frame’s subscription counted the create' },
      );
      assert.deepEqual(panel.errors, []);
    } finally {
      await topPages.close();
      await framePages.close();
    }
  });

  test(
    'with DevTools closed the page reports nothing (the worker stays asleep); a panel opened later shows its socket and latest events',
    { timeout: 60_000 },
    async () => {
      const page = await session.openPage(rawClientURL(session.pages, 'Note', { kind: 'unwatched' }));
      await page.waitForFunction('window.__appReady || window.__appError');
      await stopServiceWorker(session.harness);
      // A page load and a stream of events, with no panel open anywhere.
      await page.reload();
      await page.waitForFunction('window.__appReady || window.__appError');
      const total = 700;
      for (let n = 0; n < total; n++) {
        embedded.faults.sendRaw(JSON.stringify({ op: 'create', requestId: 1, object: { className: 'Note', objectId: `unwatched${n}`, kind: 'unwatched' } }));
      }
      await inPage(page, async (count: number) => {
        const socket = (window as unknown as { __rawSocket: { events: { op: string }[] } }).__rawSocket;
        for (let i = 0; i < 500 && socket.events.filter((e) => e.op === 'create').length < count; i++) await new Promise((r) => setTimeout(r, 10));
        if (socket.events.filter((e) => e.op === 'create').length < count) throw new Error('the page did not get every event');
      }, total);
      assert.equal(await isServiceWorkerRunning(session.harness), false, 'neither the page load nor its events woke the service worker');

      const panel = await openDevToolsPanel(session.harness, page);
      await waitForPageSubscriptions(panel, 1);
      await waitForPageRow(panel, 'create', `unwatched${total - 1}`);
      const rows = await allTimelineRows(panel);
      assert.equal(rows.filter((r) => r.text.includes('navigated')).length, 1, 'one page load');
      assert.ok(rows.some((r) => r.kind === 'sent' && r.text.includes('↑ subscribe')), 'what the page subscribed to');
      const creates = rows.filter((r) => r.kind === 'create');
      assert.ok(creates.length > 0 && creates.length < total, `the page kept its latest events, bounded (${creates.length})`);
      const gap = rows.find((r) => r.kind === 'gap' && r.text.includes('not kept'));
      assert.ok(gap, `a gap says what the page did not keep: ${JSON.stringify(rows.filter((r) => r.kind === 'gap'))}`);
      assert.match(gap.text, new RegExp(`\\b${total - creates.length} earlier page socket event`));
      // From now on every event is recorded as it happens.
      embedded.faults.sendRaw(JSON.stringify({ op: 'create', requestId: 1, object: { className: 'Note', objectId: 'watched', kind: 'unwatched' } }));
      await waitForPageRow(panel, 'create', 'watched');
      assert.deepEqual(panel.errors, []);
    },
  );

  test(
    'DevTools opened after reloads, preserve log off: only the current page load is shown',
    { timeout: 60_000 },
    async () => {
      const page = await session.openPage(rawClientURL(session.pages, 'Note', { kind: 'reloaded' }));
      for (let load = 0; load < 3; load++) {
        if (load) await page.reload();
        await page.waitForFunction('window.__appReady || window.__appError');
      }
      const panel = await openDevToolsPanel(session.harness, page);
      await waitForPageSubscriptions(panel, 1);
      const rows = await allTimelineRows(panel);
      assert.equal(rows.filter((r) => r.text.includes('navigated')).length, 1, `earlier page loads are not in the timeline: ${JSON.stringify(rows)}`);
      assert.deepEqual((await pageSockets(panel)).map((s) => s.state), ['open'], 'earlier page loads’ sockets are hidden');
    },
  );

  test(
    'frames an app sends while it leaves the page (unsubscribe and close in pagehide) are recorded',
    { timeout: 60_000 },
    async () => {
      const { page, panel } = await openPanel(session.pages.url('/raw.html'));
      await panel.click(byTestId('preserve-log'));
      await page.evaluate(
        async ([url, app, js]) => {
          const socket = await (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, js, [{ className: 'Note', where: { kind: 'leaving' } }]);
          // What a careful app does when the user leaves: unsubscribe and close.
          addEventListener('pagehide', () => {
            socket.send(JSON.stringify({ op: 'unsubscribe', requestId: 1 }));
            socket.close(1000, 'leaving');
          });
        },
        [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey],
      );
      await waitForPageSubscriptions(panel, 1);
      await page.goto(session.pages.url('/?next'));
      await panel.waitFor(`[...document.querySelectorAll('[data-testid="timeline-row"]')].filter((r) => r.innerText.includes('navigated')).length === 2`, {
        message: 'the second page load',
      });
      const rows = await allTimelineRows(panel);
      assert.ok(rows.some((r) => r.kind === 'sent' && r.text.includes('↑ unsubscribe')), `the unsubscribe is recorded: ${JSON.stringify(rows.map((r) => r.text))}`);
    },
  );

  test(
    'a page that listens for, spies on and forges the extension’s traffic: sees none of it, stops nothing, finds no extension in stacks or toString()',
    { timeout: 60_000 },
    async () => {
      const spy = await serveStaticPages({ '/lq-raw.js': RAW_CLIENT_SCRIPT, '/spy.html': SPY_PAGE });
      try {
        const { page, panel } = await openPanel(spy.url('/spy.html'));
        await panel.click(byTestId('preserve-log'));
        const kind = `spied-${unique()}`;
        const subscribe = () =>
          page.evaluate(
            async ([url, app, js, where]) => {
              const socket = await (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, js, [{ className: 'Note', where }]);
              // The unload hand-over: what the app sends while it leaves is handed to the relay synchronously.
              addEventListener('pagehide', () => socket.send(JSON.stringify({ op: 'unsubscribe', requestId: 1 })));
            },
            [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey, { kind }] as const,
          );
        await subscribe();
        await waitForPageSubscriptions(panel, 1);
        for (let n = 0; n < 5; n++) await createObject(embedded, 'Note', { kind, n });
        const fifth = await createObject(embedded, 'Note', { kind, n: 5 });
        await waitForPageRow(panel, 'create', fifth.objectId);

        // Every control the page can forge: recording goes on.
        await page.evaluate('window.__forge()');
        const afterForgery = await createObject(embedded, 'Note', { kind, after: 'forgery' });
        await waitForPageRow(panel, 'create', afterForgery.objectId);

        // What the page can learn from the wrapped functions.
        const looks = await page.evaluate<Record<string, unknown>>(`window.__looks(${JSON.stringify(embedded.liveQueryURL)})`);
        assert.deepEqual(looks.toStrings, [
          'function WebSocket() { [native code] }',
          'function send() { [native code] }',
          'function toString() { [native code] }',
          'function toString() { [native code] }',
          'function WebSocket() { [native code] }',
        ]);
        assert.deepEqual(looks.shape, ['WebSocket', 1, 'send', 1, true]);
        assert.equal(looks.instance, true);
        const stacks = JSON.stringify(looks);
        assert.ok(!stacks.includes('chrome-extension:') && !stacks.includes(session.harness.extensionId), stacks);
        assert.ok(!/page-hook|reflectApply|Reflect\.apply|disguise/.test(stacks), `no wrapper source: ${stacks}`);
        assert.match(String(looks.sendError), /^InvalidStateError: .*\n\s+at .*spy\.html/, 'the page’s own frame first, as natively');
        assert.match(String(looks.illegal), /^TypeError: Illegal invocation\n\s+at .*spy\.html/);

        // A reload: the unsubscribe sent while the page leaves is recorded through the synchronous hand-over.
        await page.reload();
        await page.waitForFunction('typeof window.openLiveQuery === "function"');
        await subscribe();
        await panel.waitFor(`[...document.querySelectorAll('[data-testid="timeline-row"]')].filter((r) => r.innerText.includes('navigated')).length === 2`, {
          message: 'the second page load',
        });
        await waitForPageSubscriptions(panel, 1);
        const rows = await allTimelineRows(panel);
        assert.ok(rows.some((r) => r.kind === 'sent' && r.text.includes('↑ unsubscribe')), 'the unload hand-over was recorded');
        const afterReload = await createObject(embedded, 'Note', { kind, after: 'reload' });
        await waitForPageRow(panel, 'create', afterReload.objectId);

        assert.deepEqual(await page.evaluate('window.__seen()'), [], 'the page saw nothing of the extension, in either load');
        assert.deepEqual(panel.errors, []);
      } finally {
        await spy.close();
      }
    },
  );

  test('a hostile page: forged relay messages, fake panel commands, a child iframe posing as the top, HTML in events', { timeout: 60_000 }, async () => {
    const tag = `hostile-${unique()}`;
    const childPage = `<!doctype html><title>child</title><script>
      const TAG = ${JSON.stringify(HOOK_TAG)};
      const seq = (id, url) => [
        { type: 'created', socketId: id, url, time: Date.now() },
        { type: 'open', socketId: id, time: Date.now() },
        { type: 'frame', socketId: id, direction: 'sent', text: JSON.stringify({ op: 'connect', applicationId: 'child-app' }), time: Date.now() },
        { type: 'frame', socketId: id, direction: 'received', text: JSON.stringify({ op: 'connected', clientId: 'child-client' }), time: Date.now() },
      ];
      // Pretends to be the top window's hook: the top's relay must ignore messages whose source is not its own window.
      parent.postMessage({ tag: TAG, events: seq('childforged1', 'ws://child-forged.invalid/parse') }, '*');
      top.postMessage({ tag: TAG, events: seq('childforged2', 'ws://child-forged-top.invalid/parse') }, '*');
      parent.postMessage({ type: 'addServer', spec: { serverURL: 'ws://127.0.0.1:9/child-evil', applicationId: 'child-evil' } }, '*');
      parent.__childDone = true;
    </script>`;
    const hostileServer = await startHostileLiveQueryServer();
    const hostile = await serveStaticPages({
      '/lq-raw.js': RAW_CLIENT_SCRIPT,
      '/hostile.html': `<!doctype html><title>hostile</title><script src="/lq-raw.js"></script><h1>hostile</h1><iframe src="/child.html"></iframe>`,
      '/child.html': childPage,
    });
    try {
      const { page, panel } = await openPanel();
      await page.goto(hostile.url('/hostile.html'));
      await page.waitForFunction('window.__childDone === true');

      await inPage(
        page,
        ([TAG, IMG, SCRIPT]: string[]) => {
          const post = (message: unknown) => window.postMessage(message, '*');
          const now = Date.now();
          const seq = (id: string, url: string) => [
            { type: 'created', socketId: id, url, time: now },
            { type: 'open', socketId: id, time: now },
            { type: 'frame', socketId: id, direction: 'sent', text: JSON.stringify({ op: 'connect', applicationId: 'forged-app' }), time: now },
            { type: 'frame', socketId: id, direction: 'received', text: JSON.stringify({ op: 'connected', clientId: 'forged-client' }), time: now },
          ];
          // Malformed: not objects, wrong tag, events not an array, invalid events in an otherwise valid batch.
          for (const junk of [null, 42, 'text', [TAG], { tag: TAG }, { tag: TAG, events: 'nope' }, { tag: TAG, events: [null] }, { tag: 'wrong', events: seq('wrongtag', 'ws://wrong-tag.invalid/') }]) {
            post(junk);
          }
          post({ tag: TAG, events: [...seq('malformed', 'ws://malformed.invalid/'), { type: 'explode', socketId: 'malformed', time: now }] });
          post({ tag: TAG, events: [...seq('badtime', 'ws://bad-time.invalid/'), { type: 'open', socketId: 'badtime', time: 'now' }] });
          post({ tag: TAG, events: [...seq('both', 'ws://both-text-and-binary.invalid/'), { type: 'frame', socketId: 'both', direction: 'sent', text: '{}', binarySize: 2, time: now }] });
          post({ tag: TAG, events: [...seq('sideways', 'ws://sideways.invalid/'), { type: 'frame', socketId: 'sideways', direction: 'sideways', text: '{}', time: now }] });
          post({ tag: TAG, events: seq(IMG, 'ws://bad-socket-id.invalid/') });
          // Oversized: too many events in one message, a frame over the size limit, a URL over the length limit.
          const many = seq('toomany', 'ws://too-many.invalid/');
          while (many.length <= 500) many.push({ type: 'open', socketId: `pad${many.length}`, time: now });
          post({ tag: TAG, events: many });
          post({ tag: TAG, events: [...seq('hugeframe', 'ws://huge-frame.invalid/'), { type: 'frame', socketId: 'hugeframe', direction: 'sent', text: 'x'.repeat(1_000_001), time: now }] });
          post({ tag: TAG, events: seq('hugeurl', `ws://huge-url.invalid/${'a'.repeat(9000)}`) });
          // Messages posing as panel commands or as the relay's own messages to the background.
          const spec = { serverURL: 'ws://127.0.0.1:9/evil', applicationId: 'evil-app' };
          post({ type: 'addServer', spec });
          post({ type: 'addServer', spec, commandId: 'c1' });
          post({ tag: TAG, type: 'addServer', spec, events: [] });
          post({ type: 'adoptPageSubscription', spec, query: { className: 'Evil', where: {} } });
          post({ type: 'subscribe', serverId: 'x', query: { className: 'Evil', where: {} } });
          post({ type: 'hello', tabId: 1 });
          post({ type: 'clearBacklog' });
          post({ type: 'document', url: 'https://document-forged.invalid/' });
          post({ type: 'socketEvents', events: seq('relayshaped', 'ws://relay-shaped.invalid/') });
          // A flood of half-announced sockets (never classified, so never shown).
          for (let n = 0; n < 4; n++) {
            post({ tag: TAG, events: Array.from({ length: 500 }, (_, i) => ({ type: 'created', socketId: `flood${n}x${i}`, url: 'ws://flood.invalid/', time: now })) });
          }
          // Well-formed, with HTML everywhere: the page cannot forge data either (it comes over the hook's private port).
          post({
            tag: TAG,
            type: 'events',
            generation: 1,
            events: [
              { type: 'created', socketId: 'forged', url: `ws://forged-html.invalid/${IMG}`, time: now },
              { type: 'open', socketId: 'forged', time: now },
              { type: 'frame', socketId: 'forged', direction: 'sent', text: JSON.stringify({ op: 'connect', applicationId: IMG, sessionToken: SCRIPT }), time: now },
              { type: 'frame', socketId: 'forged', direction: 'received', text: JSON.stringify({ op: 'connected', clientId: SCRIPT }), time: now },
            ],
          });
        },
        [HOOK_TAG, IMG_PAYLOAD, SCRIPT_PAYLOAD],
      );

      // A real socket to a hostile LiveQuery server, HTML everywhere: page data is relayed by design, shown as text.
      await page.evaluate(
        ([url, app, query]) => (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, 'js', [query]),
        [`ws://127.0.0.1:${hostileServer.port}/parse`, IMG_PAYLOAD, { className: IMG_PAYLOAD, where: { html: IMG_PAYLOAD } }] as const,
      );
      // Then a real LiveQuery subscription of the page; once it shows, everything posted before it was handled.
      await page.evaluate(
        ([url, app, js, where]) => (window as unknown as { openLiveQuery: Function }).openLiveQuery(url, app, js, [{ className: 'Note', where }]),
        [embedded.liveQueryURL, embedded.applicationId, embedded.javascriptKey, { tag }] as const,
      );
      await waitForPageSubscriptions(panel, 2);
      const note = await createObject(embedded, 'Note', { tag, html: IMG_PAYLOAD, script: SCRIPT_PAYLOAD, style: '<style>*{display:none}</style>' });
      await waitForPageRow(panel, 'create', note.objectId);
      await waitForPageRow(panel, 'create', 'forgedObject');

      const sockets = await pageSockets(panel);
      assert.deepEqual(sockets.map((s) => s.url), [`ws://127.0.0.1:${hostileServer.port}/parse`, embedded.liveQueryURL], JSON.stringify(sockets));
      assert.match(sockets[0]!.header, /app <img src=x onerror="window.__pwned=1">/);
      assert.match(sockets[0]!.header, /clientId <script>window.__pwned=1<\/script>/);
      assert.ok(sockets[0]!.subscriptions[0]!.text.includes(`${IMG_PAYLOAD} {"html":${JSON.stringify(IMG_PAYLOAD)}}`), sockets[0]!.subscriptions[0]!.text);

      // Look at the HTML-laden records the way a user would: the detail pane (tree and raw) and the live results.
      const inspect = async (objectId: string) => {
        const index = await panel.evaluate(
          (id: string) => [...document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"][data-kind="create"]')].findIndex((r) => r.innerText.includes(id)),
          objectId,
        );
        await panel.click(await nth(panel, `[data-testid="timeline-row"][data-kind="create"]`, index, 'row'));
        await panel.waitFor(`document.querySelector('[data-testid="detail"]')?.innerText.includes(${JSON.stringify(objectId)})`, { message: 'detail' });
        const tree = await panel.text(byTestId('detail'));
        await panel.click(byTestId('detail-tab-raw'));
        const raw = await panel.text(byTestId('detail-json'));
        await panel.click(byTestId('detail-tab-tree'));
        return { tree, raw };
      };
      for (const objectId of [note.objectId, 'forgedObject']) {
        const { tree, raw } = await inspect(objectId);
        assert.ok(tree.includes(JSON.stringify(IMG_PAYLOAD)) && tree.includes(JSON.stringify(SCRIPT_PAYLOAD)), `tree shows the payloads as text: ${tree}`);
        assert.ok(raw.includes(JSON.stringify(IMG_PAYLOAD)), raw);
      }
      await panel.click(await nth(panel, byTestId('page-show-results'), 1, 'results'));
      await panel.waitFor(`document.querySelectorAll('[data-testid="result-row"]').length === 1`, { message: 'one live result' });
      assert.match(await panel.text(byTestId('result-set')), /<img src=x onerror=/);
      const dom = await panel.evaluate(() => ({
        img: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        styles: document.querySelectorAll('style').length,
        pwned: typeof (window as unknown as { __pwned?: unknown }).__pwned,
      }));
      assert.deepEqual(dom, { img: 0, scripts: 1, styles: 0, pwned: 'undefined' });
      await panel.click(byTestId('close-results'));
      assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');

      // Nothing was let through: no forged socket but the well-formed one, no server added, no forged page load.
      const text = await panelText(panel);
      for (const host of ['child-forged', 'wrong-tag', 'malformed', 'bad-time', 'both-text-and-binary', 'sideways', 'bad-socket-id', 'too-many', 'huge-frame', 'huge-url', 'relay-shaped', 'document-forged', 'flood', 'evil', 'forged-html', 'forged-app', 'forged-client']) {
        assert.ok(!text.includes(host), `${host} is not in the panel`);
      }
      assert.equal(await panel.count(byTestId('server')), 0, 'no server was added');
      const rows = await allTimelineRows(panel);
      assert.equal(rows.filter((r) => r.text.includes('navigated')).length, 1, 'no forged page load');
      assert.ok(rows.every((r) => r.fromPage), 'only page records: the extension did nothing on its own');

      // Still responsive: a toggle round-trips, the selection still works.
      await panel.click(byTestId('preserve-log'));
      assert.equal(await panel.evaluate<boolean>(`document.querySelector('[data-testid="preserve-log"]').checked`), true);
      await panel.click(byTestId('preserve-log'));
      assert.equal(await panel.count(byTestId('sw-status')), 0, 'still connected to the service worker');
      assert.deepEqual(panel.errors, []);
    } finally {
      await hostile.close();
      await hostileServer.close();
    }
  });
});

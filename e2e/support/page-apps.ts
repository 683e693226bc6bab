// Pages that open their own LiveQuery sockets (the real Parse JS SDK, or raw frames), and panel helpers for the
// "Page" section and the whole (virtualized) timeline. Used by e2e/page-inspection.e2e.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { functionCall } from '../harness/in-page.js';
import { ROOT } from '../harness/index.js';
import type { PanelDriver } from './panel-actions.js';

/** The Parse JS SDK's browser build, as an app would load it with a <script> tag. */
export function parseSdkBrowserBuild(): string {
  return readFileSync(join(ROOT, 'node_modules/parse/dist/parse.min.js'), 'utf8');
}

/**
 * A Parse app page: the SDK's browser build, then an app script that reads its settings from the query string
 * (app, js, rest, lq, user, pw, room, min), subscribes anonymously to `Game score > min`, logs in through the SDK and
 * subscribes to `Message room = <room>` with the user's session token. Sets window.__appReady or window.__appError.
 */
export const PARSE_APP_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>LiveQuery test app</title>
<script>
  // The SDK keeps the current user in localStorage: start every load logged out, so the first subscription is anonymous.
  localStorage.clear();
</script>
<script src="/parse.min.js"></script>
<h1>LiveQuery test app</h1>
<pre id="log"></pre>
<script>
(async () => {
  const p = new URLSearchParams(location.search);
  const log = (line) => { document.getElementById('log').textContent += line + '\\n'; };
  Parse.initialize(p.get('app'), p.get('js'));
  Parse.serverURL = p.get('rest');
  Parse.liveQueryServerURL = p.get('lq');
  window.__events = [];
  const listen = (name, subscription) => {
    for (const op of ['create', 'update', 'enter', 'leave', 'delete']) {
      subscription.on(op, (object) => { window.__events.push(name + ':' + op + ':' + object.id); log(name + ' ' + op + ' ' + object.id); });
    }
  };
  // Anonymous: subscribed before anyone logs in, so neither the connect nor this subscribe carries a session token.
  const games = await new Parse.Query('Game').greaterThan('score', Number(p.get('min'))).subscribe();
  listen('games', games);
  const user = await Parse.User.logIn(p.get('user'), p.get('pw'));
  const messages = await new Parse.Query('Message').equalTo('room', p.get('room')).subscribe(user.getSessionToken());
  listen('messages', messages);
  window.__sessionToken = user.getSessionToken();
  window.__appReady = true;
  log('ready');
})().catch((error) => {
  window.__appError = String((error && error.stack) || error);
});
</script>`;

/**
 * A minimal LiveQuery client written against the protocol (no SDK): `window.openLiveQuery(url, applicationId,
 * javascriptKey, queries)` resolves with the socket once every query is subscribed; events land in socket.events.
 */
export const RAW_CLIENT_SCRIPT = `
window.openLiveQuery = (url, applicationId, javascriptKey, queries) => new Promise((resolve, reject) => {
  const socket = new WebSocket(url);
  socket.events = [];
  let subscribed = 0;
  socket.addEventListener('open', () => socket.send(JSON.stringify({ op: 'connect', applicationId, javascriptKey })));
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    socket.events.push(frame);
    if (frame.op === 'connected') {
      queries.forEach((query, i) => socket.send(JSON.stringify({ op: 'subscribe', requestId: i + 1, query })));
    } else if (frame.op === 'subscribed' && ++subscribed === queries.length) {
      resolve(socket);
    } else if (frame.op === 'error') {
      reject(new Error('LiveQuery error: ' + event.data));
    }
  });
  socket.addEventListener('error', () => reject(new Error('socket error on ' + url)));
});
`;

/** A page that only loads the raw client; `autostart` (query string: lq, app, js, className, where) connects at once. */
export const RAW_CLIENT_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>raw LiveQuery client</title>
<script src="/lq-raw.js"></script>
<h1>raw client</h1>
<script>
  const p = new URLSearchParams(location.search);
  if (p.get('lq')) {
    window.__socket = openLiveQuery(p.get('lq'), p.get('app'), p.get('js'), [{ className: p.get('className'), where: JSON.parse(p.get('where') || '{}') }])
      .then((socket) => { window.__rawSocket = socket; window.__appReady = true; }, (error) => { window.__appError = String(error); });
  }
</script>`;

export interface PageSubscriptionInfo {
  state: string;
  text: string;
  counts: string;
}
export interface PageSocketInfo {
  state: string;
  /** innerText of the socket's header lines (host, state, app, clientId, frame, token) */
  header: string;
  /** the full host/path title of the socket (its URL) */
  url: string;
  subscriptions: PageSubscriptionInfo[];
}

/** What the panel's Page section shows, socket by socket. */
export function pageSockets(panel: PanelDriver): Promise<PageSocketInfo[]> {
  return panel.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="page-socket"]')].map((socket) => ({
      state: socket.dataset.state ?? '',
      header: [...socket.querySelectorAll<HTMLElement>(':scope > .line')].map((l) => l.innerText.replace(/\s+/g, ' ').trim()).join(' | '),
      url: socket.querySelector('strong')?.getAttribute('title') ?? '',
      subscriptions: [...socket.querySelectorAll<HTMLElement>('[data-testid="page-subscription"]')].map((sub) => ({
        state: sub.dataset.state ?? '',
        text: sub.innerText.replace(/\s+/g, ' ').trim(),
        counts: sub.querySelector<HTMLElement>('[data-testid="page-subscription-counts"]')?.innerText ?? '',
      })),
    })),
  );
}

export interface TimelineRowInfo {
  kind: string;
  text: string;
  fromPage: boolean;
}

/**
 * Every record of the timeline, oldest first: the list is virtualized (only rows in view exist), so it is scrolled
 * from top to bottom, page by page, and left stuck to the bottom again.
 */
export function allTimelineRows(panel: PanelDriver): Promise<TimelineRowInfo[]> {
  return panel.evaluate(async () => {
    const viewport = document.querySelector<HTMLElement>('[data-testid="timeline-viewport"]');
    if (!viewport) throw new Error('no timeline viewport');
    const settle = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const rows = new Map<number, { kind: string; text: string; fromPage: boolean }>();
    const collect = () => {
      for (const row of document.querySelectorAll<HTMLElement>('[data-testid="timeline-row"]')) {
        rows.set(parseFloat(row.style.top), {
          kind: row.dataset.kind ?? '',
          text: row.innerText.replace(/\s+/g, ' ').trim(),
          fromPage: row.classList.contains('from-page'),
        });
      }
    };
    // The list renders less often under a stream: wait until the row count holds still before reading it.
    const rowCount = () => viewport.getAttribute('aria-rowcount');
    for (let quiet = 0, last = rowCount(); quiet < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await settle();
      const now = rowCount();
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    viewport.scrollTop = 0;
    viewport.dispatchEvent(new Event('scroll'));
    await settle();
    collect();
    while (viewport.scrollTop + viewport.clientHeight < viewport.scrollHeight - 1) {
      viewport.scrollTop += Math.max(20, viewport.clientHeight - 40);
      viewport.dispatchEvent(new Event('scroll'));
      await settle();
      collect();
    }
    viewport.scrollTop = viewport.scrollHeight;
    viewport.dispatchEvent(new Event('scroll'));
    await settle();
    collect();
    const expected = Number(viewport.getAttribute('aria-rowcount') ?? rows.size);
    if (rows.size !== expected) throw new Error(`collected ${rows.size} rows of ${expected}`);
    return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
  });
}

/** Waits for a rendered row of `kind` that is page traffic (class from-page) and contains `text`. */
export function waitForPageRow(panel: PanelDriver, kind: string, text = '', timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(
    `[...document.querySelectorAll('[data-testid="timeline-row"][data-kind=${JSON.stringify(kind)}].from-page')].some((r) => r.innerText.includes(${JSON.stringify(text)}))`,
    { timeoutMs, message: `a page ${kind} row containing "${text}"` },
  );
}

/** Waits until the Page section shows `sockets` sockets and, in total, `subscriptions` subscriptions in `state`. */
export function waitForPageSubscriptions(panel: PanelDriver, count: number, state = 'subscribed', timeoutMs = 15_000): Promise<unknown> {
  return panel.waitFor(
    `document.querySelectorAll('[data-testid="page-subscription"][data-state=${JSON.stringify(state)}]').length === ${count}`,
    { timeoutMs, message: `${count} page subscription(s) ${state}` },
  );
}

/** The panel document's whole rendered text. */
export function panelText(panel: PanelDriver): Promise<string> {
  return panel.evaluate<string>('document.body.innerText');
}

/**
 * page.evaluate(fn, arg) for functions with inner named functions or classes: tsx (esbuild keepNames) wraps those
 * in __name(...), which does not exist in the page; this sends the source with a local __name, as the panel does.
 */
export function inPage<T, A>(target: Pick<Page, 'evaluate'> | Pick<Frame, 'evaluate'>, fn: (arg: A) => T | Promise<T>, arg: A): Promise<T> {
  return target.evaluate(functionCall(fn as (...args: never[]) => unknown, arg)) as Promise<T>;
}

// Browser-side snippets of bench:timeline, as plain JavaScript source: they run in the real panel (through
// PanelHandle.evaluate) and in ordinary pages (Playwright), and stay free of anything a TS transform could add.

/** Runs after the next paint: requestAnimationFrame, then a MessageChannel message (the frame is rendered by then). */
const AFTER_PAINT = String.raw`() => new Promise((resolve) => requestAnimationFrame(() => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve(performance.now());
  channel.port2.postMessage(0);
}))`;

/**
 * `(step) => Promise<{sync, painted, counts}>`: applies one filter change in the panel's toolbar as a user does
 * (`text`: types a value into the filter box, i.e. native setter + input event; `click`: element.click()) and
 * times it from the event to the end of the handler (`sync`) and to after the next paint (`painted`), in ms. A regex
 * is first checked in a worker (the filter box has data-filter-checking meanwhile): `painted` then runs to after the
 * paint that follows the check.
 */
export const FILTER_STEP = String.raw`async (step) => {
  const afterPaint = ${AFTER_PAINT};
  const el = document.querySelector(step.selector);
  if (!el) throw new Error('no ' + step.selector);
  await afterPaint();
  const t0 = performance.now();
  if (step.type === 'text') {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, step.value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  } else {
    el.click();
  }
  const t1 = performance.now();
  let t2 = await afterPaint();
  while (document.querySelector('[data-filter-checking]')) t2 = await afterPaint();
  return { sync: t1 - t0, painted: t2 - t0, counts: (document.querySelector('[data-testid="record-counts"]') || {}).textContent || '' };
}`;

/**
 * `({selector, frames}) => Promise<{smooth, jump, intervals, longTasks, rows}>`: scrolls the list one position per
 * animation frame (first half: 3 rows per frame, a wheel/trackpad scroll → `smooth`; second half: a random jump, a
 * scrollbar drag → `jump`) and measures each scrolled frame from the scroll event to after that frame is painted
 * (ms), plus the rAF-to-rAF `intervals`. `rows` is how many row elements exist at the end.
 */
export const SCROLL_TEST = String.raw`async ({ selector, frames }) => {
  const viewport = document.querySelector(selector);
  if (!viewport) throw new Error('no ' + selector);
  const costs = { smooth: [], jump: [] };
  const intervals = [];
  let phase = 'smooth';
  let longTasks = 0;
  let observer;
  try {
    observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks += e.duration; });
    observer.observe({ type: 'longtask' });
  } catch {}
  const onScroll = (event) => {
    if (event.target !== viewport) return;
    const at = performance.now();
    const bucket = costs[phase];
    const channel = new MessageChannel();
    channel.port1.onmessage = () => bucket.push(performance.now() - at);
    channel.port2.postMessage(0);
  };
  viewport.scrollTop = 0;
  await new Promise((resolve) => setTimeout(resolve, 100));
  document.addEventListener('scroll', onScroll, true);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  await new Promise((resolve) => {
    let i = 0;
    let last = 0;
    const tick = (now) => {
      if (last) intervals.push(now - last);
      last = now;
      if (i >= frames) return resolve();
      const max = viewport.scrollHeight - viewport.clientHeight;
      phase = i < frames / 2 ? 'smooth' : 'jump';
      viewport.scrollTop = phase === 'smooth' ? Math.min(max, (i + 1) * 60) : Math.floor(random() * max);
      i++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  document.removeEventListener('scroll', onScroll, true);
  if (observer) observer.disconnect();
  return { smooth: costs.smooth, jump: costs.jump, intervals, longTasks, rows: viewport.querySelectorAll('.row').length };
}`;

/**
 * Installed before the panel document's scripts (CDP Page.addScriptToEvaluateOnNewDocument / Playwright
 * addInitScript): records in window.__lqOpen, as performance.now() (ms since the navigation started), when the panel
 * connects its port to the service worker (`connectAt`), when the first message (the welcome) arrives on it
 * (`messageAt`, before the panel's own listener runs), when body[data-ready] turns 'true' (`readyAt`) and the first
 * point after the next paint (`paintAt`). It wraps runtime.connect to see the port; nothing else is changed.
 */
export const OPEN_PROBE = String.raw`(() => {
  if (!/panel\.html/.test(location.pathname)) return;
  const state = { connectAt: 0, messageAt: 0, readyAt: 0, paintAt: 0 };
  window.__lqOpen = state;
  const runtimes = [globalThis.chrome && globalThis.chrome.runtime, globalThis.browser && globalThis.browser.runtime].filter(Boolean);
  for (const runtime of new Set(runtimes)) {
    const connect = runtime.connect;
    if (typeof connect !== 'function') continue;
    try {
      runtime.connect = function (...args) {
        const port = connect.apply(runtime, args);
        if (!state.connectAt) state.connectAt = performance.now();
        port.onMessage.addListener(() => { if (!state.messageAt) state.messageAt = performance.now(); });
        return port;
      };
    } catch {}
  }
  const check = () => {
    if (state.readyAt || !document.body || document.body.dataset.ready !== 'true') return;
    state.readyAt = performance.now();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { state.paintAt = performance.now(); };
      channel.port2.postMessage(0);
    });
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
})();`;

/** Reads what OPEN_PROBE recorded plus the navigation timing of the document, or null while not painted yet. */
export const OPEN_RESULT = String.raw`(() => {
  const state = window.__lqOpen;
  if (!state || !state.paintAt) return null;
  const nav = performance.getEntriesByType('navigation')[0] || {};
  return { connectAt: state.connectAt, messageAt: state.messageAt, readyAt: state.readyAt, paintAt: state.paintAt, domContentLoaded: nav.domContentLoadedEventEnd || 0, load: nav.loadEventEnd || 0 };
})()`;

/**
 * A plain page showing the same rows with the panel's own CSS and markup, but every row in the DOM (no
 * virtualization): the peer of the scroll and memory measurements. `buildFlat(rows)` renders them and resolves with
 * the time until the first paint.
 */
export const FLAT_PAGE = `<!doctype html>
<meta charset="utf-8"><title>non-virtualized timeline</title>
<link rel="stylesheet" href="/panel.css">
<style>html, body { height: 100%; margin: 0; } .timeline { height: 100vh; } .timeline-viewport { flex: 1; }</style>
<div class="timeline" data-testid="timeline">
  <div class="timeline-header row-grid" role="row"><span>Time</span><span>Source</span><span>Kind</span><span>Class</span><span>Object</span><span>Summary</span></div>
  <div class="timeline-viewport" data-testid="timeline-viewport" tabindex="0"></div>
</div>
<script>
window.buildFlat = (rows) => new Promise((resolve) => {
  const t0 = performance.now();
  const viewport = document.querySelector('.timeline-viewport');
  const spacer = document.createElement('div');
  spacer.className = 'timeline-spacer';
  spacer.style.height = rows.length * 20 + 'px';
  for (let i = 0; i < rows.length; i++) {
    const [time, source, kind, className, objectId, summary] = rows[i];
    const row = document.createElement('div');
    row.className = 'row row-grid kind-' + kind;
    row.style.top = i * 20 + 'px';
    row.setAttribute('role', 'row');
    row.dataset.testid = 'timeline-row';
    const cells = [[time, 'mono'], [source, ''], [kind, 'kind kind-' + kind], [className, ''], [objectId, 'mono'], [summary, 'summary']];
    for (const [text, cls] of cells) {
      const span = document.createElement('span');
      if (cls) span.className = cls;
      span.textContent = text;
      row.appendChild(span);
    }
    spacer.appendChild(row);
  }
  viewport.appendChild(spacer);
  const built = performance.now();
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve({ buildMs: built - t0, paintedMs: performance.now() - t0 });
    channel.port2.postMessage(0);
  });
});
</script>`;

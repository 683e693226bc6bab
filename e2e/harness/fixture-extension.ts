// Writes a tiny MV3 extension that follows the same contract as dist/chrome, so the harness can be tested on its own.
//
// Contract shared with the real extension: devtools_page devtools.html creates the "LiveQuery" panel (panel.html), a
// module service worker background.js, permissions ["storage"], `document.body.dataset.ready === 'true'` once the
// panel is connected to the service worker, `data-testid` on everything a test touches, `?tabId=` when the panel is
// opened as a plain tab.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A 32×32 blue PNG, enough for the panel icon and the manifest icons. */
const ICON_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAL0lEQVR4nO3OIQEAAAgDMPIQkbgUgRg3E/Ornr2kEhAQEBAQEBAQEBAQEBAQSAceROAUl9zWWxkAAAAASUVORK5CYII=',
  'base64',
);

const MANIFEST = {
  manifest_version: 3,
  name: 'LiveQuery DevTools (harness fixture)',
  version: '0.0.1',
  devtools_page: 'devtools.html',
  background: { service_worker: 'background.js', type: 'module' },
  permissions: ['storage'],
  icons: { '16': 'icons/icon-16.png', '32': 'icons/icon-32.png', '48': 'icons/icon-48.png', '128': 'icons/icon-128.png' },
};

const DEVTOOLS_HTML = `<!doctype html><meta charset="utf-8"><script src="devtools.js"></script>\n`;
const DEVTOOLS_JS = `chrome.devtools.panels.create('LiveQuery', 'icons/icon-32.png', 'panel.html');\n`;

// Each start of the worker gets a new id, so a test can tell a restarted worker from the old one.
const BACKGROUND_JS = `
const instance = Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
let pings = 0;
globalThis.fixture = { instance, ports: 0 };
chrome.runtime.onConnect.addListener((port) => {
  globalThis.fixture.ports++;
  port.onDisconnect.addListener(() => { globalThis.fixture.ports--; });
  port.onMessage.addListener((msg) => {
    if (msg.type === 'hello') port.postMessage({ type: 'welcome', instance, tabId: msg.tabId });
    if (msg.type === 'ping') port.postMessage({ type: 'pong', n: ++pings, instance });
  });
});
`;

const PANEL_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>LiveQuery (fixture)</title>
<style>body{font:13px system-ui;margin:12px} [data-testid]{margin:4px 0}</style></head>
<body>
  <h1 data-testid="title">LiveQuery fixture panel</h1>
  <div>status: <span data-testid="status">starting</span></div>
  <div>tab: <span data-testid="tab-id"></span></div>
  <div>worker: <span data-testid="instance"></span></div>
  <button data-testid="ping" type="button">Ping</button> <span data-testid="pong"></span>
  <form data-testid="form">
    <input data-testid="query" placeholder="class name">
    <select data-testid="kind"><option value="a">a</option><option value="b">b</option></select>
  </form>
  <div>echo: <span data-testid="echo"></span></div>
  <div>submitted: <span data-testid="submitted"></span></div>
  <ul data-testid="items"></ul>
  <script src="panel.js"></script>
</body>
</html>
`;

const PANEL_JS = `
const $ = (id) => document.querySelector('[data-testid="' + id + '"]');
const tabId = chrome.devtools?.inspectedWindow?.tabId ?? Number(new URLSearchParams(location.search).get('tabId'));
$('tab-id').textContent = String(tabId);
let port = null;
function connect() {
  port = chrome.runtime.connect({ name: 'panel' });
  port.onMessage.addListener((msg) => {
    if (msg.type === 'welcome') {
      $('status').textContent = 'connected';
      $('instance').textContent = msg.instance;
      document.body.dataset.ready = 'true';
    }
    if (msg.type === 'pong') {
      $('pong').textContent = 'pong #' + msg.n;
      const li = document.createElement('li');
      li.textContent = 'pong ' + msg.n;
      $('items').append(li);
    }
  });
  port.onDisconnect.addListener(() => {
    document.body.dataset.ready = 'false';
    $('status').textContent = 'disconnected';
    port = null;
    setTimeout(connect, 100);
  });
  port.postMessage({ type: 'hello', tabId });
}
connect();
$('ping').addEventListener('click', () => port?.postMessage({ type: 'ping' }));
$('query').addEventListener('input', (e) => { $('echo').textContent = e.target.value; });
$('kind').addEventListener('change', (e) => { $('echo').textContent = 'kind=' + e.target.value; });
$('form').addEventListener('submit', (e) => { e.preventDefault(); $('submitted').textContent = $('query').value; });
`;

/** Writes the fixture extension into `dir` (created if missing) and returns `dir`. */
export function writeFixtureExtension(dir: string): string {
  mkdirSync(join(dir, 'icons'), { recursive: true });
  const files: Record<string, string | Buffer> = {
    'manifest.json': JSON.stringify(MANIFEST, null, 2),
    'devtools.html': DEVTOOLS_HTML,
    'devtools.js': DEVTOOLS_JS,
    'background.js': BACKGROUND_JS,
    'panel.html': PANEL_HTML,
    'panel.js': PANEL_JS,
  };
  for (const size of [16, 32, 48, 128]) files[`icons/icon-${size}.png`] = ICON_PNG;
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

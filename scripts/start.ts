// `npm start`: builds the extension, starts the embedded LiveQuery server and the demo app (unless --server is
// given), and opens Chromium with the extension and DevTools on the LiveQuery tab, where the panel's first run adds
// that server (and, for the demo, subscribes to Message and shows a first live event).

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, openDevToolsPanel, artifactPath } from '../e2e/harness/index.js';
import { startEmbeddedServer } from '../server/index.js';
import { buildExtension, CHROME_DIR } from './build.js';
import { startDemoServer } from './demo-server.js';
import { createWelcomeMessage, devDefaults, writeDevDefaults } from './first-run.js';

const USAGE = `Usage: npm start -- [options]
  --server <ws(s)://host/path>  a LiveQuery server to use instead of the embedded one
  --app-id <id>                 its application id
  --js-key <key>                its JavaScript key
  --rest-url <http(s)://…>      its REST URL for the demo app (default: the --server URL with http(s))
  --url <url>                   open this page instead of the demo app
  --port <n>                    port of the embedded server (default: any free port)
  --headless                    run Chromium headless (default when there is no display)`;

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    'app-id': { type: 'string' },
    'js-key': { type: 'string' },
    'rest-url': { type: 'string' },
    url: { type: 'string' },
    port: { type: 'string' },
    headless: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const cleanups: (() => Promise<unknown>)[] = [];
async function shutdown(code: number): Promise<never> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  console.log('building the extension…');
  await buildExtension();

  let liveQueryURL: string;
  let restURL: string;
  let applicationId: string;
  let javascriptKey: string;
  if (values.server) {
    liveQueryURL = values.server;
    if (!values['app-id']) throw new Error('--server needs --app-id');
    applicationId = values['app-id'];
    javascriptKey = values['js-key'] ?? '';
    restURL = values['rest-url'] ?? liveQueryURL.replace(/^ws/, 'http');
  } else {
    const server = await startEmbeddedServer({ port: values.port ? Number(values.port) : 0 });
    cleanups.push(() => server.stop());
    ({ liveQueryURL, restURL, applicationId, javascriptKey } = server);
    console.log(`embedded LiveQuery server: ${liveQueryURL} (REST ${restURL}), app "${applicationId}", JS key "${javascriptKey}"`);
  }

  let pageURL = values.url;
  if (!pageURL) {
    const demo = await startDemoServer({ serverURL: restURL, liveQueryServerURL: liveQueryURL, applicationId, javascriptKey });
    cleanups.push(() => demo.close());
    pageURL = demo.url;
    console.log(`demo app: ${pageURL}`);
  }

  const server = { liveQueryURL, restURL, applicationId, javascriptKey };
  // A copy of the build with this run's defaults: dist/chrome stays as built (tests and a manual Load unpacked use
  // it, and must not add a demo server that is gone once this run stops).
  const extensionDir = mkdtempSync(join(tmpdir(), 'lq-start-extension-'));
  cleanups.push(async () => rmSync(extensionDir, { recursive: true, force: true }));
  cpSync(CHROME_DIR, extensionDir, { recursive: true });
  writeDevDefaults(extensionDir, devDefaults(server, !values.server));

  const headless = values.headless ?? !process.env.DISPLAY;
  if (headless && !values.headless) console.log('no display found: Chromium runs headless (use xvfb-run or a desktop to see it)');
  const harness = await launchBrowser({ extensionPath: extensionDir, headless, offline: false });
  cleanups.push(() => harness.close());
  const page = await harness.newPage(pageURL);
  const panel = await openDevToolsPanel(harness, page, { dock: 'bottom' });
  console.log(`Chromium is open on ${pageURL} with DevTools on the LiveQuery tab (extension ${harness.extensionId}).`);
  if (!values.server) {
    await createWelcomeMessage(panel, server).then(
      (objectId) => console.log(`created Message ${objectId}: its create event is on the timeline`),
      (error: Error) => console.log(`no first event: ${error.message}`),
    );
  }
  if (headless) {
    const shot = artifactPath('npm-start.png');
    await panel.screenshot(shot);
    console.log(`screenshot of DevTools: ${shot}`);
  }
  console.log('Press Ctrl+C to stop.');
  harness.context.on('close', () => void shutdown(0));
} catch (error) {
  console.error(`npm start failed: ${(error as Error).message}`);
  await shutdown(1);
}

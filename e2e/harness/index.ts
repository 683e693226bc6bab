export { launchBrowser, expectedExtensionId, type Harness, type HarnessTimings, type LaunchOptions } from './browser.js';
export { buildExtension, ensureExtensionBuilt, isExtensionStale } from './build.js';
export { findChromium, chromiumArgs } from './chromium.js';
export { NonFlatCdp, TargetSession, CdpError } from './cdp.js';
export {
  openDevToolsPanel,
  type PanelHandle,
  type OpenPanelOptions,
  type PanelTimings,
  type WaitOptions,
  type ActionOptions,
  type DockSide,
} from './devtools.js';
export { openPanelTab, type PanelTabOptions } from './panel-tab.js';
export { stopServiceWorker, waitForServiceWorkerRestart, isServiceWorkerRunning } from './service-worker.js';
export { artifactPath, ARTIFACTS_DIR, DIST_CHROME, ROOT } from './paths.js';
export { writeFixtureExtension } from './fixture-extension.js';
export { byTestId } from './in-page.js';
export { poll, sleep, withTimeout, TimeoutError, type PollOptions } from './wait.js';

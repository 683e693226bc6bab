export { launchFirefox, findFirefox, DIST_FIREFOX, type FirefoxHarness, type FirefoxLaunchOptions, type FirefoxTab } from './launch.js';
export { openFirefoxDevToolsPanel, type FirefoxPanel, type FirefoxPanelOptions, type FirefoxPanelWaitOptions } from './devtools.js';
export { BidiConnection, BidiError, evaluateIn } from './bidi.js';
export type { BackgroundEvents } from './chrome-scripts.js';

// The few extension APIs the content scripts, the devtools page and the panel use, without a polyfill in their bundles.
//
// Firefox exposes promise-based `browser.*`; Chrome's MV3 `chrome.*` returns promises for the calls used here
// (storage.local/session get/set/remove, devtools.panels.create; runtime.connect and devtools.panels.themeName are
// synchronous), so a 9.7 KB polyfill would only rename the namespace.

import type Browser from 'webextension-polyfill';

type Api = typeof Browser;

export const extensionApi: Api = ((globalThis as { browser?: Api }).browser ?? (globalThis as unknown as { chrome: Api }).chrome);

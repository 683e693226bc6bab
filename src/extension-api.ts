// The few extension APIs the content scripts and the devtools page use, without a polyfill in every page's bundle.
//
// Firefox exposes promise-based `browser.*`; Chrome's MV3 `chrome.*` returns promises for the calls used here
// (storage.local.get, devtools.panels.create), so a 9.7 KB polyfill would only rename the namespace.

import type Browser from 'webextension-polyfill';

type Api = typeof Browser;

export const extensionApi: Api = ((globalThis as { browser?: Api }).browser ?? (globalThis as unknown as { chrome: Api }).chrome);

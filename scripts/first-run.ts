// What `npm start` tells the panel through dev-defaults.json, and the live event that fills its first screen.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PanelHandle } from '../e2e/harness/index.js';
import type { Defaults } from '../panel/store/first-run.js';

export interface DemoServerInfo {
  liveQueryURL: string;
  restURL: string;
  applicationId: string;
  javascriptKey: string;
}

/**
 * The embedded demo server is added and subscribed to (`Message`) on the panel's first run; a server given with
 * --server is added but not subscribed to (its classes are the user's).
 */
export function devDefaults(server: DemoServerInfo, demo: boolean): Defaults {
  return {
    server: {
      serverURL: server.liveQueryURL,
      applicationId: server.applicationId,
      javascriptKey: server.javascriptKey || undefined,
      // --rest-url (or the embedded server's REST URL): what logins, seeding and checks use.
      restURL: server.restURL,
      label: demo ? 'demo (embedded)' : undefined,
    },
    query: { className: 'Message' },
    firstRun: { addServer: true, subscribe: demo },
  };
}

export function writeDevDefaults(extensionDir: string, defaults: Defaults): void {
  writeFileSync(join(extensionDir, 'dev-defaults.json'), JSON.stringify(defaults));
}

/**
 * Once the panel's first subscription is confirmed, creates one demo Message over REST, so that the first screen
 * shows a live `create` (in the panel's subscription and in the demo page's own). Resolves with its objectId.
 */
export async function createWelcomeMessage(panel: PanelHandle, server: DemoServerInfo, timeoutMs = 20_000): Promise<string> {
  await panel.waitFor(`!!document.querySelector('[data-testid="subscription"][data-state="subscribed"]')`, {
    timeoutMs,
    message: 'the first run’s subscription confirmed',
  });
  const response = await fetch(`${server.restURL}/classes/Message`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'X-Parse-Application-Id': server.applicationId,
      ...(server.javascriptKey ? { 'X-Parse-JavaScript-Key': server.javascriptKey } : {}),
    },
    body: JSON.stringify({ text: 'Welcome to LiveQuery DevTools', likes: 0 }),
  });
  const body = (await response.json().catch(() => ({}))) as { objectId?: unknown; error?: unknown };
  if (!response.ok || typeof body.objectId !== 'string') throw new Error(`creating the welcome Message failed: ${response.status} ${String(body.error ?? '')}`);
  const objectId = body.objectId;
  await panel.waitFor(`[...document.querySelectorAll('[data-testid="timeline-row"][data-kind="create"]')].some((row) => row.innerText.includes(${JSON.stringify(objectId)}))`, {
    timeoutMs,
    message: `the create of the welcome Message ${objectId} on the timeline`,
  });
  return objectId;
}

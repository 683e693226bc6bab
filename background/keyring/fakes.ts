// Test helpers: in-memory storage areas and vault for the keyring owner, and a panel port wired to KeyringPorts.

import type { Runtime } from 'webextension-polyfill';
import type { TokenEntry } from '../../src/keyring.js';
import { isBackgroundToPanel, PANEL_PORT_PREFIX, type BackgroundToPanel, type PanelToBackground } from '../../src/messages.js';
import type { Command } from '../../panel/adapters/port.js';
import type { KeyringArea } from './keyring-owner.js';
import type { KeyringPorts } from './keyring-ports.js';
import type { KeyringVault } from './keyring-vault.js';

export function memoryArea(initial: Record<string, unknown> = {}) {
  const items = new Map(Object.entries(initial));
  const area = {
    items,
    /** Makes every call reject, as a storage error does. */
    broken: false,
    async get(keys: string[]) {
      if (area.broken) throw new Error('storage is broken');
      return Object.fromEntries(keys.filter((k) => items.has(k)).map((k) => [k, structuredClone(items.get(k))]));
    },
    async set(values: Record<string, unknown>) {
      if (area.broken) throw new Error('storage is broken');
      for (const [k, v] of Object.entries(values)) items.set(k, structuredClone(v));
    },
    async remove(keys: string[]) {
      if (area.broken) throw new Error('storage is broken');
      for (const k of keys) items.delete(k);
    },
  } satisfies KeyringArea & Record<string, unknown>;
  return area;
}

export function memoryVault(initial?: unknown) {
  const vault = {
    stored: initial as unknown,
    /** Makes writes reject (a full or refused IndexedDB). */
    refuseWrites: false,
    async read(): Promise<unknown> {
      return structuredClone(vault.stored);
    },
    async write(entries: TokenEntry[]) {
      if (vault.refuseWrites) throw new Error('QuotaExceededError');
      vault.stored = structuredClone(entries);
    },
    async clear() {
      if (vault.refuseWrites) throw new Error('QuotaExceededError');
      vault.stored = undefined;
    },
  } satisfies KeyringVault & Record<string, unknown>;
  return vault;
}

/**
 * A panel's port as KeyringPorts sees it, and the panel's side of it: `run` sends a command and settles on its
 * commandResult, every other message goes to `onMessage`. Messages are copied as JSON, as a runtime port does.
 */
export function connectPanel(hub: KeyringPorts, tabId: number, onMessage: (message: BackgroundToPanel) => void) {
  const listeners: ((message: unknown) => void)[] = [];
  const disconnects: (() => void)[] = [];
  const waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let next = 1;
  const port = {
    name: PANEL_PORT_PREFIX + tabId,
    onMessage: { addListener: (listener: (message: unknown) => void) => listeners.push(listener) },
    onDisconnect: { addListener: (listener: () => void) => disconnects.push(listener) },
    postMessage(raw: unknown) {
      const message: unknown = JSON.parse(JSON.stringify(raw));
      if (!isBackgroundToPanel(message)) throw new Error(`invalid message to the panel: ${JSON.stringify(raw)}`);
      if (message.type !== 'commandResult') return onMessage(message);
      const waiter = waiting.get(message.commandId);
      waiting.delete(message.commandId);
      if (message.ok) waiter?.resolve();
      else waiter?.reject(new Error(message.error ?? 'failed'));
    },
  };
  hub.attach(port as unknown as Runtime.Port);
  const deliver = (message: PanelToBackground) => listeners.forEach((listener) => listener(JSON.parse(JSON.stringify(message))));
  return {
    hello: () => deliver({ type: 'hello', tabId }),
    run(command: Command): Promise<void> {
      const commandId = `c${next++}`;
      return new Promise<void>((resolve, reject) => {
        waiting.set(commandId, { resolve, reject });
        deliver({ ...command, commandId } as PanelToBackground);
      });
    },
    disconnect: () => disconnects.forEach((listener) => listener()),
  };
}

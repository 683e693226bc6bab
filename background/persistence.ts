// Keeps each tab's servers and subscriptions in storage.session so a restarted service worker can restore them.

import type { PersistedWorkspace } from './workspace.js';

const KEY_PREFIX = 'workspace:';
const SAVE_DELAY_MS = 150;

/** The slice of the storage API this module needs (storage.session in the extension, a Map in tests). */
export interface KeyValueArea {
  get(keys: null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

function isPersistedWorkspace(value: unknown): value is PersistedWorkspace {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PersistedWorkspace).tabId === 'number' &&
    Array.isArray((value as PersistedWorkspace).servers)
  );
}

export class WorkspaceStore {
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(private readonly area: KeyValueArea) {}

  async loadAll(): Promise<PersistedWorkspace[]> {
    const items = await this.area.get(null);
    return Object.entries(items)
      .filter(([key]) => key.startsWith(KEY_PREFIX))
      .map(([, value]) => value)
      .filter(isPersistedWorkspace);
  }

  /** Saves soon; many changes in a burst make one write. */
  scheduleSave(tabId: number, read: () => PersistedWorkspace | undefined): void {
    if (this.timers.has(tabId)) return;
    this.timers.set(
      tabId,
      setTimeout(() => {
        this.timers.delete(tabId);
        const workspace = read();
        const key = KEY_PREFIX + tabId;
        const write = workspace ? this.area.set({ [key]: workspace }) : this.area.remove(key);
        write.catch((error: unknown) => console.error('LiveQuery DevTools: cannot save state', error));
      }, SAVE_DELAY_MS),
    );
  }

  async remove(tabId: number): Promise<void> {
    clearTimeout(this.timers.get(tabId));
    this.timers.delete(tabId);
    await this.area.remove(KEY_PREFIX + tabId);
  }
}

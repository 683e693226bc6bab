// Keeps each tab's servers and subscriptions in storage.session so a restarted service worker can restore them.

import type { PersistedWorkspace } from './workspace.js';

const KEY_PREFIX = 'workspace:';

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
  private readonly queued = new Set<number>();

  constructor(private readonly area: KeyValueArea) {}

  async loadAll(): Promise<PersistedWorkspace[]> {
    const items = await this.area.get(null);
    return Object.entries(items)
      .filter(([key]) => key.startsWith(KEY_PREFIX))
      .map(([, value]) => value)
      .filter(isPersistedWorkspace)
      .map((w) => (w.aliveAt === undefined || Number.isFinite(w.aliveAt) ? w : { tabId: w.tabId, servers: w.servers }));
  }

  /**
   * Saves at the end of the current task: the changes of one command make one write, and nothing waits on a timer
   * that a stopped service worker would never fire.
   */
  scheduleSave(tabId: number, read: () => PersistedWorkspace | undefined): void {
    if (this.queued.has(tabId)) return;
    this.queued.add(tabId);
    queueMicrotask(() => {
      this.queued.delete(tabId);
      const workspace = read();
      const key = KEY_PREFIX + tabId;
      const write = workspace ? this.area.set({ [key]: workspace }) : this.area.remove(key);
      write.catch((error: unknown) => console.error('LiveQuery DevTools: cannot save state', error));
    });
  }

  async remove(tabId: number): Promise<void> {
    this.queued.delete(tabId);
    await this.area.remove(KEY_PREFIX + tabId);
  }
}

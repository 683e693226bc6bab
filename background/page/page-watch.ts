// Which tabs' pages report their LiveQuery traffic: those with a panel open, or whose last panel left Preserve log on.

import type { BackgroundToRelay } from '../../src/messages.js';

export interface PageWatchDeps {
  /** Tells every frame of the tab (tabs.sendMessage); a tab without our content scripts ignores it. */
  tellTab(tabId: number, message: BackgroundToRelay): void;
  /** Whether any tab is watched, for relays starting in new documents (storage.local). */
  setAnyWatched(any: boolean): void;
  /** Tabs kept watched by Preserve log after their panels closed, to survive a worker restart (storage.session). */
  savePreserved(tabIds: number[]): void;
}

export class PageWatch {
  private readonly panels = new Map<number, number>();
  /** Tabs whose panels asked to keep recording the page after they close. */
  private readonly preserved = new Set<number>();
  private anyWatched: boolean | undefined;

  constructor(
    private readonly deps: PageWatchDeps,
    preserved: readonly number[] = [],
  ) {
    for (const tabId of preserved) this.preserved.add(tabId);
    // A restarted worker: the relays of preserved tabs closed their ports with the old one and wait to be asked again.
    for (const tabId of this.preserved) this.deps.tellTab(tabId, { type: 'watch', on: true });
    this.publish();
  }

  isWatched(tabId: number): boolean {
    return (this.panels.get(tabId) ?? 0) > 0 || this.preserved.has(tabId);
  }

  panelAttached(tabId: number, preserveLog: boolean): void {
    this.panels.set(tabId, (this.panels.get(tabId) ?? 0) + 1);
    this.setPreserved(tabId, preserveLog);
    // Always told, also when already watched: a relay whose port died with an earlier worker hands its state over again.
    this.deps.tellTab(tabId, { type: 'watch', on: true });
    this.publish();
  }

  panelDetached(tabId: number): void {
    this.change(tabId, () => {
      const left = (this.panels.get(tabId) ?? 1) - 1;
      if (left > 0) this.panels.set(tabId, left);
      else this.panels.delete(tabId);
    });
  }

  setPreserveLog(tabId: number, on: boolean): void {
    this.change(tabId, () => this.setPreserved(tabId, on));
  }

  tabRemoved(tabId: number): void {
    this.panels.delete(tabId);
    this.setPreserved(tabId, false);
    this.publish();
  }

  private change(tabId: number, apply: () => void): void {
    const before = this.isWatched(tabId);
    apply();
    const after = this.isWatched(tabId);
    if (before !== after) this.deps.tellTab(tabId, { type: 'watch', on: after });
    this.publish();
  }

  private setPreserved(tabId: number, on: boolean): void {
    if (on === this.preserved.has(tabId)) return;
    if (on) this.preserved.add(tabId);
    else this.preserved.delete(tabId);
    this.deps.savePreserved([...this.preserved]);
  }

  private publish(): void {
    const any = this.panels.size > 0 || this.preserved.size > 0;
    if (any === this.anyWatched) return;
    this.anyWatched = any;
    this.deps.setAnyWatched(any);
  }
}

// The one owner of the keyring and its Remember setting: runs the panels' commands one at a time, keeps the tokens
// where the user chose (storage.session, or the vault when remembered) and moves an old keyring out of storage.local.

import { MAX_KEYRING_ENTRIES, storedEntries, withEntry, type KeyringView } from '../../src/keyring.js';
import type { KeyringCommand } from '../../src/messages.js';
import type { KeyringVault } from './keyring-vault.js';

/** The slice of an extension storage area the owner uses. */
export interface KeyringArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

export interface KeyringStorage {
  /** Where a remembered keyring lives: out of reach of content scripts, survives a browser restart. */
  vault: KeyringVault;
  /** storage.session: the keyring while it is not remembered (gone when the browser closes). */
  session: KeyringArea;
  /** storage.local, only read to move what earlier versions kept there (content scripts can read that area). */
  legacy: KeyringArea;
}

export const SESSION_KEY = 'keyring';
/** What earlier versions wrote to storage.local. */
export const LEGACY_KEYS = { keyring: 'keyring', persisted: 'keyringPersisted' } as const;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class KeyringOwner {
  private view: KeyringView = { entries: [], persisted: false };
  private loading: Promise<void> | undefined;
  /** The command being applied: the next one waits for it, so each starts from the state the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((view: KeyringView) => void)[] = [];

  constructor(
    private readonly storage: KeyringStorage,
    /** Where storage failures that no command waits for are reported. */
    private readonly log: (what: string, error: unknown) => void = (what, error) => console.error(`LiveQuery DevTools: ${what}`, error),
  ) {}

  /** Called with the whole keyring after each change. */
  subscribe(listener: (view: KeyringView) => void): void {
    this.listeners.push(listener);
  }

  /** The keyring as it is now (read from storage the first time). */
  async current(): Promise<KeyringView> {
    await this.ready();
    return this.view;
  }

  /** Applies a command after those before it; rejects with a message for the panel when it cannot be kept. */
  run(command: KeyringCommand): Promise<void> {
    const step = this.queue.then(() => this.apply(command));
    this.queue = step.catch(() => undefined);
    return step;
  }

  private ready(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async apply(command: KeyringCommand): Promise<void> {
    await this.ready();
    const before = this.view;
    let next: KeyringView;
    switch (command.type) {
      case 'keyringAdd': {
        const entries = withEntry(before.entries, command.entry);
        if (entries.length > MAX_KEYRING_ENTRIES) throw new Error(`The keyring is full (${MAX_KEYRING_ENTRIES} tokens): forget some first`);
        next = { ...before, entries };
        break;
      }
      case 'keyringRemove':
        next = { ...before, entries: before.entries.filter((e) => e.id !== command.id) };
        break;
      case 'keyringSetPersisted':
        next = { ...before, persisted: command.persisted };
        break;
    }
    // The keyring changes once saved: a panel saying hello meanwhile gets what storage holds.
    try {
      await this.save(next);
    } catch (error) {
      throw new Error(`The keyring could not be saved: ${errorText(error)}`);
    }
    this.view = next;
    for (const listener of this.listeners) listener(next);
  }

  /**
   * Writes the keyring where it belongs. The vault's record is the Remember setting itself (present = remembered), so
   * the write that decides is the vault's: what fails before it leaves the old keyring in force.
   */
  private async save(view: KeyringView): Promise<void> {
    if (view.persisted) {
      await this.storage.vault.write(view.entries);
      await this.storage.session.remove([SESSION_KEY]).catch((error: unknown) => this.log('cannot clear the session keyring', error));
    } else {
      await this.storage.session.set({ [SESSION_KEY]: view.entries });
      await this.storage.vault.clear();
    }
  }

  private async load(): Promise<void> {
    try {
      await this.moveLegacyKeyring();
    } catch (error) {
      this.log('cannot move the keyring out of storage.local', error);
    }
    try {
      const remembered = storedEntries(await this.storage.vault.read());
      if (remembered) {
        this.view = { entries: remembered, persisted: true };
        return;
      }
    } catch (error) {
      this.log('cannot read the remembered keyring', error);
    }
    try {
      const items = await this.storage.session.get([SESSION_KEY]);
      this.view = { entries: storedEntries(items[SESSION_KEY]) ?? [], persisted: false };
    } catch (error) {
      this.log('cannot read the keyring', error);
    }
  }

  /**
   * Earlier versions kept a remembered keyring in storage.local, which every content script can read. It moves to the
   * vault once (unless the vault already has one) and the old keys go. A keyring left there while Remember was off
   * (a stale panel wrote it back) was never the user's choice: it is dropped, not moved.
   */
  private async moveLegacyKeyring(): Promise<void> {
    const old = await this.storage.legacy.get([LEGACY_KEYS.keyring, LEGACY_KEYS.persisted]);
    if (!(LEGACY_KEYS.keyring in old) && !(LEGACY_KEYS.persisted in old)) return;
    if (old[LEGACY_KEYS.persisted] === true && storedEntries(await this.storage.vault.read()) === undefined) {
      await this.storage.vault.write(storedEntries(old[LEGACY_KEYS.keyring]) ?? []);
    }
    await this.storage.legacy.remove([LEGACY_KEYS.keyring, LEGACY_KEYS.persisted]);
  }
}

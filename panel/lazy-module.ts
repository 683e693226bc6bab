// A module the panel loads with import() when first needed (a view, a set of rules), as a signal: readers re-render
// when it arrives, and a chunk that cannot be loaded becomes a message instead of an unhandled rejection.

import { signal, type ReadonlySignal } from '@preact/signals';

export type LazyState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; module: T }
  | { status: 'failed'; message: string };

export interface LazyModule<T> {
  readonly state: ReadonlySignal<LazyState<T>>;
  /** The module if it has arrived, else undefined (and loading starts). Reading it inside a render or computed subscribes. */
  get(): T | undefined;
  /** Starts loading (once; again after a failure) and resolves with the module, or rejects with the clear message. */
  load(): Promise<T>;
}

/** Why a chunk of the extension's own files failed: the usual cause is an extension reloaded under an open DevTools. */
export function chunkFailureMessage(what: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `Could not load ${what}: ${reason}. If the extension was updated or reloaded, close and reopen DevTools.`;
}

const everyLazyModule: Array<() => void> = [];

/** Loads every lazy module not loaded yet: the panel calls it once the first paint is done, so a click rarely waits. */
export function preloadLazyModules(): void {
  for (const preload of everyLazyModule.splice(0)) preload();
}

/** `what` names the module for the failure message ("the Why no event? view"). */
export function lazyModule<T>(what: string, importer: () => Promise<T>): LazyModule<T> {
  const state = signal<LazyState<T>>({ status: 'idle' });
  let pending: Promise<T> | undefined;

  function load(): Promise<T> {
    const current = state.peek();
    if (current.status === 'ready') return Promise.resolve(current.module);
    if (pending) return pending;
    state.value = { status: 'loading' };
    pending = Promise.resolve()
      .then(importer)
      .then(
        (module) => {
          state.value = { status: 'ready', module };
          return module;
        },
        (error: unknown) => {
          const message = chunkFailureMessage(what, error);
          state.value = { status: 'failed', message };
          throw new Error(message);
        },
      )
      .finally(() => (pending = undefined));
    return pending;
  }

  everyLazyModule.push(() => void load().catch(() => undefined));
  return {
    state,
    load,
    get() {
      const current = state.value;
      if (current.status === 'ready') return current.module;
      // Not load() right here: a signal written during a render or inside computed() throws.
      if (current.status === 'idle') queueMicrotask(() => void load().catch(() => undefined));
      return undefined;
    },
  };
}

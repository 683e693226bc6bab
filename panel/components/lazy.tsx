// Views loaded on first render from their own chunk, with a DevTools-like "Loading…" line meanwhile and a clear
// message (and Retry) when the chunk cannot be loaded. One line per lazy view:
//
//   const WhyNoEventView = lazyComponent('the Why no event? view', () => import('./WhyNoEvent.js').then((m) => m.WhyNoEventView));
//
// `what` names the view in the failure message. esbuild puts everything only that import reaches into the chunk
// (dist/*/chunks/<module>-<hash>.js); a module the first paint also imports stays in the main bundle.

import type { ComponentType, FunctionComponent, VNode } from 'preact';
import { lazyModule, type LazyState } from '../lazy-module.js';

/** What stands in for a view that is not ready: "Loading…", or the failure with a Retry button. */
export function lazyPlaceholder(state: LazyState<unknown>, retry: () => void): VNode | null {
  if (state.status === 'failed') {
    return (
      <div class="error-text pad" role="alert" data-testid="lazy-failed">
        {state.message}{' '}
        <button type="button" onClick={retry} data-testid="lazy-retry">
          Retry
        </button>
      </div>
    );
  }
  if (state.status === 'ready') return null;
  return (
    <div class="muted pad" role="status" data-testid="lazy-loading">
      Loading…
    </div>
  );
}

export function lazyComponent<P extends object>(what: string, importer: () => Promise<ComponentType<P>>): FunctionComponent<P> & { preload(): void } {
  const view = lazyModule(what, importer);
  const retry = () => void view.load().catch(() => undefined);
  function Lazy(props: P) {
    const Component = view.get();
    return Component ? <Component {...props} /> : lazyPlaceholder(view.state.value, retry);
  }
  Lazy.displayName = `Lazy(${what})`;
  /** Starts loading ahead of the first render (e.g. when the user is about to open the view). */
  Lazy.preload = retry;
  return Lazy;
}

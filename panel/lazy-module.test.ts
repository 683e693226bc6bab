import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effect } from '@preact/signals';
import { lazyModule } from './lazy-module.js';
import { lazyPlaceholder } from './components/lazy.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The text a placeholder vnode would show. */
function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  return textOf((node as { props?: { children?: unknown } }).props?.children);
}

describe('lazyModule', () => {
  it('is undefined until the import resolves, then gives the module and tells its readers', async () => {
    let imports = 0;
    const rules = lazyModule('the lint rules', async () => {
      imports++;
      return { lint: () => 'linted' };
    });
    const seen: string[] = [];
    const stop = effect(() => void seen.push(rules.get() ? 'ready' : rules.state.value.status));
    assert.equal(rules.get(), undefined);
    await tick();
    assert.equal(rules.get()?.lint(), 'linted');
    assert.deepEqual(seen, ['idle', 'loading', 'ready']);
    await rules.load();
    assert.equal(imports, 1, 'imported once');
    stop();
  });

  it('turns a chunk that fails to load into a clear message, and loads again on retry', async () => {
    let fail = true;
    const view = lazyModule('the Why no event? view', () =>
      fail ? Promise.reject(new TypeError('Failed to fetch dynamically imported module: chrome-extension://x/chunks/WhyNoEvent-AB12.js')) : Promise.resolve('view'),
    );
    assert.equal(view.get(), undefined);
    await tick();
    const state = view.state.value;
    assert.equal(state.status, 'failed');
    assert.match(state.status === 'failed' ? state.message : '', /^Could not load the Why no event\? view: Failed to fetch dynamically imported module: .*WhyNoEvent-AB12\.js\. If the extension was updated or reloaded, close and reopen DevTools\.$/);
    assert.equal(view.get(), undefined, 'a failed chunk is not retried on every render');
    await assert.rejects(view.load(), /Could not load the Why no event\? view/);
    fail = false;
    assert.equal(await view.load(), 'view');
    assert.equal(view.get(), 'view');
  });
});

describe('lazyPlaceholder', () => {
  it('says Loading… while the chunk loads, and the failure with a Retry button when it failed', () => {
    let retried = 0;
    const retry = () => void retried++;
    assert.equal(textOf(lazyPlaceholder({ status: 'loading' }, retry)), 'Loading…');
    const failed = lazyPlaceholder({ status: 'failed', message: 'Could not load the Why no event? view: 404.' }, retry);
    assert.equal(textOf(failed), 'Could not load the Why no event? view: 404. Retry');
    assert.equal((failed?.props as { role?: string }).role, 'alert');
    const button = (failed?.props as { children: unknown[] }).children.at(-1) as { props: { onClick: () => void } };
    button.props.onClick();
    assert.equal(retried, 1);
    assert.equal(lazyPlaceholder({ status: 'ready', module: {} }, retry), null);
  });
});

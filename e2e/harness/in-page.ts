// DOM helpers evaluated inside the panel document (plain JS source, so no bundler helper can leak into it).
// Every helper returns a plain object: {ok: true, ...} or {error: "why not (yet)"} so the caller can keep polling.

import { sleep, TimeoutError } from './wait.js';

const HELPERS = String.raw`(() => {
  const describe = (el) => {
    if (!el) return 'nothing';
    const id = el.getAttribute && el.getAttribute('data-testid');
    return '<' + el.tagName.toLowerCase() + (id ? ' data-testid="' + id + '"' : el.id ? ' id="' + el.id + '"' : '') + '>';
  };
  const find = (selector) => document.querySelector(selector);
  const isVisible = (el) => {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) return false;
    return el.checkVisibility ? el.checkVisibility({ visibilityProperty: true, opacityProperty: false }) : true;
  };
  const isDisabled = (el) => el.disabled === true || !!(el.closest && el.closest('fieldset[disabled]'));
  const textOf = (el) => ((el.innerText !== undefined ? el.innerText : el.textContent) || '').trim();
  return {
    count(selector) {
      return { ok: true, value: document.querySelectorAll(selector).length };
    },
    text(selector) {
      const el = find(selector);
      return el ? { ok: true, value: textOf(el) } : { error: 'no element matches' };
    },
    texts(selector) {
      return { ok: true, value: [...document.querySelectorAll(selector)].map(textOf) };
    },
    clickPoint(selector) {
      const el = find(selector);
      if (!el) return { error: 'no element matches' };
      if (isDisabled(el)) return { error: describe(el) + ' is disabled' };
      el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
      if (!isVisible(el)) return { error: describe(el) + ' is not visible' };
      const rect = el.getBoundingClientRect();
      const x = rect.left + rect.width / 2;
      const y = rect.top + rect.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(hit === el || el.contains(hit))) return { error: describe(el) + ' is covered by ' + describe(hit) };
      return { ok: true, value: { x, y } };
    },
    // Notes where the next mouse press lands, so a click that the layout moved out from under can be told apart.
    armClick(selector) {
      const el = find(selector);
      if (!el) return { error: 'no element matches' };
      const record = { landed: null };
      window.__e2eClick = record;
      window.addEventListener(
        'mousedown',
        (event) => {
          const target = event.target;
          const interactive = target && target.closest ? target.closest('button, a[href], input, select, textarea, label, summary, [role], [tabindex]') : null;
          record.landed = { onTarget: el === target || el.contains(target), target: describe(target), interactive: !!interactive };
        },
        { capture: true, once: true },
      );
      return { ok: true };
    },
    clickLanded() {
      const record = window.__e2eClick;
      return record && record.landed ? { ok: true, value: record.landed } : { error: 'the mouse press has not arrived yet' };
    },
    domClick(selector) {
      const el = find(selector);
      if (!el) return { error: 'no element matches' };
      if (isDisabled(el)) return { error: describe(el) + ' is disabled' };
      el.click();
      return { ok: true };
    },
    focus(selector) {
      const el = find(selector);
      if (!el) return { error: 'no element matches' };
      if (isDisabled(el)) return { error: describe(el) + ' is disabled' };
      el.focus();
      return document.activeElement === el ? { ok: true } : { error: describe(el) + ' did not take the focus (not focusable?)' };
    },
    fill(selector, value) {
      const el = find(selector);
      if (!el) return { error: 'no element matches' };
      if (isDisabled(el)) return { error: describe(el) + ' is disabled' };
      if (el.readOnly) return { error: describe(el) + ' is read-only' };
      let proto = null;
      if (el instanceof HTMLInputElement) {
        if (['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image'].includes(el.type)) return { error: describe(el) + ' (type=' + el.type + ') cannot be filled; click it' };
        proto = HTMLInputElement.prototype;
      } else if (el instanceof HTMLTextAreaElement) proto = HTMLTextAreaElement.prototype;
      else if (el instanceof HTMLSelectElement) {
        if (![...el.options].some((o) => o.value === value)) return { error: describe(el) + ' has no option with value ' + JSON.stringify(value) };
        proto = HTMLSelectElement.prototype;
      } else if (!el.isContentEditable) return { error: describe(el) + ' is not an input, textarea, select or contenteditable' };
      el.focus();
      // The prototype's setter, not el.value = …: frameworks that track the value on the instance still see a change.
      if (proto) Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
      else el.textContent = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { ok: true };
    },
  };
})()`;

export type HelperName = 'count' | 'text' | 'texts' | 'clickPoint' | 'armClick' | 'clickLanded' | 'domClick' | 'focus' | 'fill';

export interface HelperResult<T> {
  ok?: true;
  value?: T;
  error?: string;
}

/** The expression that runs helper `name` with JSON-serializable `args` in the page. */
export function helperCall(name: HelperName, ...args: unknown[]): string {
  return `${HELPERS}.${name}(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
}

/**
 * The expression that calls `fn(arg)` in the page. `fn` is sent as source text; `__name` is defined locally because
 * tsx/esbuild (keepNames) may wrap inner functions in __name(...) calls that only exist in Node.
 */
export function functionCall(fn: (...args: never[]) => unknown, arg: unknown): string {
  const source = fn.toString();
  const argument = arg === undefined ? 'undefined' : JSON.stringify(arg);
  return `(() => { const __name = (f) => f; return (${source})(${argument}); })()`;
}

/** CSS selector for a data-testid value. */
export const byTestId = (id: string): string => `[data-testid="${id.replace(/["\\]/g, '\\$&')}"]`;

/**
 * Runs DOM helper `name` through `evaluate` until it succeeds or `timeoutMs` passes, then throws a TimeoutError with
 * its last error. A bad selector fails at once.
 */
export async function runHelperUntilDone<T>(
  evaluate: (expression: string, timeoutMs: number) => Promise<HelperResult<T>>,
  name: HelperName,
  selector: string,
  args: unknown[],
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'never ran';
  for (;;) {
    try {
      const result = await evaluate(helperCall(name, selector, ...args), Math.max(1_000, deadline - Date.now()));
      if (result.ok) return result.value as T;
      last = result.error ?? 'failed';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.includes('SyntaxError') || message.includes('is not a valid selector')) throw error;
      last = message;
    }
    if (Date.now() >= deadline) throw new TimeoutError(`${name}(${JSON.stringify(selector)}) in the panel: ${last} (waited ${timeoutMs} ms)`);
    await sleep(50);
  }
}

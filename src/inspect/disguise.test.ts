import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDisguise } from './disguise.js';

/** A realm of its own: a Function whose prototype has the real (native) toString, patched by the disguise. */
function realm() {
  const prototype = {};
  Object.defineProperty(prototype, 'toString', { value: Function.prototype.toString, writable: true, enumerable: false, configurable: true });
  return { Function: { prototype } as { prototype: { toString: (this: unknown) => string } } };
}

function nativeSend(this: unknown, data: unknown): void {
  if (typeof this !== 'object' || this === null) throw new TypeError('Illegal invocation');
  void data;
}

describe('disguise: proxies that look native', () => {
  it('prints each proxy, and the patched toString itself, as the function it stands for', () => {
    const r = realm();
    const { wrap } = createDisguise(r);
    const send = wrap(Array.prototype.push, { apply: (target, thisArg, args) => Reflect.apply(target, thisArg, args) });
    const toString = r.Function.prototype.toString;
    assert.equal(toString.call(send), 'function push() { [native code] }');
    assert.equal(toString.call(toString), 'function toString() { [native code] }');
    assert.equal(toString.call(Math.max), 'function max() { [native code] }', 'other functions print as before');
    assert.equal(toString.name, 'toString');
    assert.equal(toString.length, 0);
    const descriptor = Object.getOwnPropertyDescriptor(r.Function.prototype, 'toString')!;
    assert.deepEqual([descriptor.writable, descriptor.enumerable, descriptor.configurable], [true, false, true]);
  });

  it('throws what the native throws, with the stack a direct call would have: no frame of the hook', () => {
    const { wrap } = createDisguise(realm());
    const send = wrap(nativeSend, { apply: (target, thisArg, args) => Reflect.apply(target, thisArg, args) });
    const Ctor = wrap(URL, { construct: (target, args, newTarget) => Reflect.construct(target, args, newTarget) as object });
    function pageCode(): Error {
      try {
        send.call(undefined, 'x');
      } catch (error) {
        return error as Error;
      }
      throw new Error('no error');
    }
    const error = pageCode();
    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'Illegal invocation');
    const frames = String(error.stack).split('\n').slice(1);
    assert.match(frames[0]!, /at pageCode /, `the first frame is the caller's: ${error.stack}`);
    assert.ok(!/disguise\.ts:/.test(String(error.stack)), String(error.stack));
    assert.throws(() => new Ctor('not a url'), (e: Error) => e instanceof TypeError && !/disguise\.ts:/.test(String(e.stack)));
  });

  it('without a realm Function (a bare window stand-in) still makes working proxies', () => {
    const { wrap } = createDisguise({});
    const push = wrap(Array.prototype.push, { apply: (target, thisArg, args) => Reflect.apply(target, thisArg, args) });
    const list: number[] = [];
    push.call(list, 1);
    assert.deepEqual(list, [1]);
  });
});

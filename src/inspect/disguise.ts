// Makes the page hook's proxies look native: Function.prototype.toString prints them as the functions they wrap, and
// an error thrown through one of them carries the stack a native call would have (without the hook's frame).

/** The realm whose Function.prototype.toString is patched (the page's window; a stand-in in tests). */
export interface DisguiseRealm {
  Function?: { prototype: object };
}

export interface Disguise {
  /** A Proxy of `native` that toString prints as `native`; errors thrown by the traps' calls lose the trap's frame. */
  wrap<T extends object>(native: T, handler: ProxyHandler<T>): T;
}

type Trap = (...args: never[]) => unknown;

// Captured when the hook loads, before any page script can replace them.
const { apply: reflectApply, getOwnPropertyDescriptor } = Reflect;
const defineProperty = Object.defineProperty;
const captureStackTrace = (Error as { captureStackTrace?: (target: object, omitAbove?: Trap) => void }).captureStackTrace;

/** Re-takes the stack of `error` from the caller of `trap`, as if the native had been called directly. */
function withoutTrapFrame(error: unknown, trap: Trap): unknown {
  if (captureStackTrace && (typeof error === 'object' || typeof error === 'function') && error !== null) {
    try {
      captureStackTrace(error, trap);
    } catch {
      // A frozen or exotic error keeps its stack.
    }
  }
  return error;
}

/**
 * Installs the toString patch on `realm` (once) and returns the wrapper factory. Without a realm Function (tests
 * with a bare window stand-in), proxies are still made, printed as V8 prints any Proxy.
 */
export function createDisguise(realm: DisguiseRealm): Disguise {
  /** Each proxy made here → the function it stands for. */
  const originals = new WeakMap<object, object>();

  /** Every trap runs the real call; an error it throws is re-stacked from the page's call site. */
  const guarded = <T extends object>(handler: ProxyHandler<T>): ProxyHandler<T> => {
    const out: ProxyHandler<T> = {};
    if (handler.apply) {
      const run = handler.apply;
      out.apply = function apply(target, thisArg, args) {
        try {
          return reflectApply(run, handler, [target, thisArg, args]);
        } catch (error) {
          throw withoutTrapFrame(error, apply as Trap);
        }
      };
    }
    if (handler.construct) {
      const run = handler.construct;
      out.construct = function construct(target, args, newTarget) {
        try {
          return reflectApply(run, handler, [target, args, newTarget]) as object;
        } catch (error) {
          throw withoutTrapFrame(error, construct as Trap);
        }
      };
    }
    return out;
  };

  const wrap = <T extends object>(native: T, handler: ProxyHandler<T>): T => {
    const proxy = new Proxy(native, guarded(handler));
    originals.set(proxy, native);
    return proxy;
  };

  const proto = realm.Function?.prototype as { toString?: unknown } | undefined;
  const descriptor = proto ? getOwnPropertyDescriptor(proto, 'toString') : undefined;
  const nativeToString = descriptor?.value;
  if (proto && descriptor && typeof nativeToString === 'function') {
    const toString: unknown = wrap(nativeToString, {
      apply(target, thisArg: unknown, args: unknown[]) {
        // The patched toString itself, and every proxy made here, print as the function they stand for.
        const shown = (typeof thisArg === 'function' && originals.get(thisArg)) || thisArg;
        return reflectApply(target as Trap, shown, args);
      },
    });
    try {
      defineProperty(proto, 'toString', { ...descriptor, value: toString });
    } catch {
      // A realm that cannot be patched keeps its toString: proxies print as V8 prints any Proxy.
    }
  }
  return { wrap };
}

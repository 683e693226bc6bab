// Finds the platform's own accessors and methods on a prototype chain, so the page hook can keep them before any page script replaces them.

export type Getter = (this: unknown) => unknown;

function findDescriptor(proto: object | null | undefined, name: string): PropertyDescriptor | undefined {
  for (let p = proto ?? null; p; p = Object.getPrototypeOf(p) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(p, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/** The getter of `name`, found on `proto` or up its chain. */
export function findGetter(proto: object | null | undefined, name: string): Getter | undefined {
  return findDescriptor(proto, name)?.get as Getter | undefined;
}

/** The value of `name` (a method, usually), found on `proto` or up its chain. */
export function findValue(proto: object | null | undefined, name: string): unknown {
  return findDescriptor(proto, name)?.value;
}

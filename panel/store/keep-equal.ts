// Keeps handing out the previous value while each new one equals it: a computed built from the servers view (which
// changes with every event counter) then only notifies its readers when what they show changed.

export function keepEqual<T>(equal: (a: T, b: T) => boolean): (next: T) => T {
  let last: T | undefined;
  return (next) => (last !== undefined && equal(last, next) ? last : (last = next));
}

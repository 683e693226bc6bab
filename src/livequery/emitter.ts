// A small typed event emitter: listeners that throw are reported asynchronously and never break the emitter.

type Listener<Args extends unknown[]> = (...args: Args) => void;
// Stored untyped; `on` and `emit` keep each event's listener and arguments in step.
type AnyListener = (...args: unknown[]) => void;
export type EventMap = { [event: string]: unknown[] };

export class Emitter<Events extends EventMap> {
  private listeners = new Map<keyof Events, Set<AnyListener>>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return this;
  }

  addListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.on(event, listener);
  }

  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    const wrapper = (...args: Events[E]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    this.listeners.get(event)?.delete(listener as unknown as AnyListener);
    return this;
  }

  removeListener<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        // A user's listener must not break the protocol state machine; surface it like an uncaught error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    return true;
  }
}

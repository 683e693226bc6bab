// Keeps the background alive while it has work a restart would break (a panel open, or a tab kept under Preserve log).
//
// Chrome keeps the service worker up while a port carries messages (the panel's heartbeat) and its WebSockets are
// busy. Firefox ends an idle event page after `extensions.background.idle.timeout` (30 s) even with ports open and
// sockets live, which would drop every server connection twice a minute; what resets its idle timer is an extension
// API call that goes to the parent process. So, while there is work, call a cheap one every KEEP_ALIVE_MS.

/** A sixth of Firefox's 30 s idle timeout: room for a busy machine, and a cheap call (one message to the browser process). */
export const KEEP_ALIVE_MS = 5_000;

export interface KeepAliveDeps {
  /** An extension API call answered by the browser process (e.g. runtime.getPlatformInfo). */
  ping(): Promise<unknown>;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

export class KeepAlive {
  private timer: unknown;

  constructor(private readonly deps: KeepAliveDeps) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** On: ping now and every KEEP_ALIVE_MS; off: stop, so that an idle background may sleep. */
  set(on: boolean): void {
    if (on === this.active) return;
    if (!on) {
      this.deps.clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.timer = this.deps.setInterval(() => this.ping(), KEEP_ALIVE_MS);
    this.ping();
  }

  private ping(): void {
    // A failed ping only means this one did not reset the timer; the next one tries again.
    this.deps.ping().catch(() => undefined);
  }
}

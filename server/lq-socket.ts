// One accepted WebSocket: frame delivery, protocol-level keep-alive pings, and the hold/release used by the stall fault.

import WebSocket from 'ws';
import type { FrameSink } from './lq-client.js';

export class LiveSocket implements FrameSink {
  /** The clientId of the latest successful `connect` on this socket. */
  clientId?: string;
  /** Every clientId ever connected on this socket (a second `connect` adds a client; the first stays registered). */
  readonly clientIds: string[] = [];
  private held: (() => void)[] | null = null;
  private pingTimer?: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
  ) {}

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    this.whenReleased(() => {
      if (this.isOpen) this.ws.send(text);
    });
  }

  /** Runs `action` now, or queues it (in order) while the socket is held. */
  whenReleased(action: () => void): void {
    if (this.held) this.held.push(action);
    else action();
  }

  /** Stops reading and writing until `release()`: frames queue up, the peer's frames wait in the TCP buffers. */
  hold(): void {
    if (this.held) return;
    this.held = [];
    this.ws.pause();
  }

  /** Actions (frames to send) queued while held. */
  get queued(): number {
    return this.held?.length ?? 0;
  }

  release(): void {
    const queued = this.held;
    if (!queued) return;
    this.held = null;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.resume();
    for (const action of queued) action();
  }

  /**
   * Parse Server's keep-alive: every `intervalMs` a ping, and if the previous ping got no pong, the socket is
   * terminated. A held socket skips its ticks, as a stalled server would.
   */
  startPings(intervalMs: number): void {
    let waitingForPong = false;
    this.ws.on('pong', () => {
      waitingForPong = false;
    });
    this.pingTimer = setInterval(() => {
      if (this.held) return;
      if (!waitingForPong) {
        if (this.isOpen) this.ws.ping();
        waitingForPong = true;
      } else {
        this.stopPings();
        this.ws.terminate();
      }
    }, intervalMs);
    this.pingTimer.unref();
  }

  stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  /** Drops the connection at once, without a close handshake. */
  terminate(): void {
    this.stopPings();
    this.held = null;
    this.ws.terminate();
  }
}

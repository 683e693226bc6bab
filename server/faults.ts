// Fault injection for tests: drop sockets, stall the server, send arbitrary or error frames, restart.

import type { LiveQueryServer } from './livequery.js';
import type { LiveSocket } from './lq-socket.js';

export interface ErrorFrameSpec {
  code: number;
  error: string;
  /** Default true, like Parse Server's own errors. */
  reconnect?: boolean;
  /** Default null. */
  requestId?: number | null;
}

export class Faults {
  private stallTimer?: NodeJS.Timeout;
  private stallDone?: Promise<void>;
  private endStall?: () => void;

  constructor(
    private readonly liveQuery: LiveQueryServer,
    private readonly restartServer: (options?: { downMs?: number }) => Promise<void>,
  ) {}

  /** Sockets addressed by a socket id or any LiveQuery clientId connected on it; all sockets when omitted. */
  private targets(clientId?: string): LiveSocket[] {
    const all = [...this.liveQuery.sockets];
    if (clientId === undefined) return all;
    return all.filter((socket) => socket.id === clientId || socket.clientIds.includes(clientId));
  }

  /** Terminates the socket(s) abruptly (no close frame). Returns how many were dropped. */
  drop(clientId?: string): number {
    const targets = this.targets(clientId);
    for (const socket of targets) socket.terminate();
    return targets.length;
  }

  /**
   * Stops reading and answering on every LiveQuery socket (and on sockets accepted meanwhile) for `ms`;
   * frames produced meanwhile are delivered in order afterwards. Resolves when the stall ends.
   */
  stall(ms: number): Promise<void> {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    for (const socket of this.liveQuery.sockets) socket.hold();
    this.liveQuery.onSocket = (socket) => socket.hold();
    this.stallDone ??= new Promise<void>((resolve) => {
      this.endStall = resolve;
    });
    this.stallTimer = setTimeout(() => this.resume(), ms);
    return this.stallDone;
  }

  /** Ends a stall now (before its time is up). */
  resume(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.liveQuery.onSocket = undefined;
    for (const socket of this.liveQuery.sockets) socket.release();
    this.endStall?.();
    this.stallDone = undefined;
  }

  /** Frames held by a stall, not yet sent. */
  queued(): number {
    let count = 0;
    for (const socket of this.liveQuery.sockets) count += socket.queued;
    return count;
  }

  /** Sends any text as one frame. Returns how many sockets it went to. */
  sendRaw(text: string, clientId?: string): number {
    const targets = this.targets(clientId);
    for (const socket of targets) socket.send(text);
    return targets.length;
  }

  /** Sends an `error` frame in Parse Server's field order. */
  sendError(spec: ErrorFrameSpec, clientId?: string): number {
    const frame = { op: 'error', error: spec.error, code: spec.code, reconnect: spec.reconnect ?? true, requestId: spec.requestId ?? null };
    return this.sendRaw(JSON.stringify(frame), clientId);
  }

  restart(options?: { downMs?: number }): Promise<void> {
    return this.restartServer(options);
  }
}

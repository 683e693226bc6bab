// A raw WebSocket test client: sends exactly what a test says and records every frame received, for exact-frame assertions.
import WebSocket from 'ws';

export type JsonFrame = Record<string, unknown>;

export interface ReceivedFrame {
  /** Index in arrival order, from 0. */
  seq: number;
  /** Milliseconds since the socket was opened. */
  atMs: number;
  binary: boolean;
  /** The payload as text (binary frames decoded as UTF-8). */
  raw: string;
  /** The parsed payload when it is a JSON object, else undefined. */
  json: JsonFrame | undefined;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export type FramePredicate = (frame: JsonFrame, received: ReceivedFrame) => boolean;

export interface RawSocketOptions {
  /** Give up opening after this long; default 5000 ms. */
  openTimeoutMs?: number;
}

/** Default wait in next(): generous, because a failing wait is the only case that waits this long. */
export const DEFAULT_NEXT_TIMEOUT_MS = 3000;

export class RawSocket {
  /** Every frame received, in order. */
  readonly frames: ReceivedFrame[] = [];
  /** Resolves once the socket is closed, by either side or by the network. */
  readonly closed: Promise<CloseInfo>;
  private readonly pending: ReceivedFrame[] = [];
  private readonly waiters = new Set<() => void>();
  private closeInfo: CloseInfo | null = null;
  private readonly openedAt = performance.now();

  private constructor(readonly ws: WebSocket, readonly url: string) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const raw = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      let json: JsonFrame | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as JsonFrame;
      } catch {
        json = undefined;
      }
      const frame: ReceivedFrame = { seq: this.frames.length, atMs: performance.now() - this.openedAt, binary: isBinary, raw, json };
      this.frames.push(frame);
      this.pending.push(frame);
      this.wake();
    });
    ws.on('error', () => {
      /* surfaces as 'close' */
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this.wake();
        resolve(this.closeInfo);
      });
    });
  }

  /** Opens a socket to `url` and resolves once it is open. */
  static open(url: string, options: RawSocketOptions = {}): Promise<RawSocket> {
    const ws = new WebSocket(url);
    const socket = new RawSocket(ws, url);
    const timeoutMs = options.openTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`RawSocket: could not open ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      ws.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`RawSocket: could not open ${url}: ${error.message}`));
      });
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** Sends `obj` as one JSON text frame. */
  send(obj: unknown): void {
    this.ws.send(JSON.stringify(obj));
  }

  /** Sends `text` as-is in one text frame (for malformed input). */
  sendText(text: string): void {
    this.ws.send(text);
  }

  /** Sends `data` in one binary frame. */
  sendBinary(data: Buffer | string): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { binary: true });
  }

  /** Frames received but not yet taken by next(). */
  unread(): readonly ReceivedFrame[] {
    return [...this.pending];
  }

  /**
   * Takes the oldest unread JSON frame that matches `predicate` (any JSON frame when omitted) and returns it, waiting up to
   * `timeoutMs` for it to arrive. Frames that do not match stay unread, so expectNothing() still sees them.
   */
  async next(predicate: FramePredicate = () => true, timeoutMs = DEFAULT_NEXT_TIMEOUT_MS): Promise<JsonFrame> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.pending.findIndex((f) => f.json !== undefined && predicate(f.json, f));
      if (index >= 0) {
        const [frame] = this.pending.splice(index, 1);
        return frame!.json!;
      }
      if (this.closeInfo) {
        throw new Error(`RawSocket: closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for a frame${this.describeUnread()}`);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`RawSocket: no matching frame within ${timeoutMs} ms${this.describeUnread()}`);
      await this.waitForActivity(left);
    }
  }

  /** next() for a frame with this `op` (and, when given, this `requestId`). */
  nextOp(op: string, requestId?: number, timeoutMs = DEFAULT_NEXT_TIMEOUT_MS): Promise<JsonFrame> {
    return this.next((f) => f.op === op && (requestId === undefined || f.requestId === requestId), timeoutMs);
  }

  /** Resolves if no frame is unread now and none arrives for `ms`; rejects with the unexpected frames otherwise. */
  async expectNothing(ms: number): Promise<void> {
    if (this.pending.length === 0) {
      const deadline = performance.now() + ms;
      for (let left = ms; left > 0 && this.pending.length === 0; left = deadline - performance.now()) {
        await this.waitForActivity(left);
      }
    }
    if (this.pending.length > 0) {
      throw new Error(`RawSocket: expected no frame${ms ? ` for ${ms} ms` : ''}, got${this.describeUnread()}`);
    }
  }

  /** Closes with a normal close handshake and waits for the socket to be closed (terminates it after 1 s). */
  async close(code = 1000, reason = ''): Promise<CloseInfo> {
    if (!this.closeInfo) {
      if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
      const timer = setTimeout(() => this.ws.terminate(), 1000);
      try {
        return await this.closed;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.closed;
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): Promise<CloseInfo> {
    this.ws.terminate();
    return this.closed;
  }

  private describeUnread(): string {
    if (this.pending.length === 0) return ' (no unread frames)';
    return `; unread frames:\n${this.pending.map((f) => `  #${f.seq} ${f.raw}`).join('\n')}`;
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  private waitForActivity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

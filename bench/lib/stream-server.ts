// A tiny LiveQuery streaming server for the benchmarks: just enough of the protocol (connect → connected,
// subscribe → subscribed, unsubscribe → unsubscribed) over a hand-written RFC 6455 server, so that N `create` frames
// can be pre-encoded into one buffer and written to the socket as fast as the kernel takes them (or paced, with a
// send timestamp in each object). The embedded server (server/) sends frame by frame through `ws`; that costs the
// sending side more than the receivers we want to measure, so every contender of a benchmark reads this one.
//
// Any other text message goes to nextMessage(): that is how a plain (non-LiveQuery) WebSocket client asks for its
// stream. It also serves a few static pages over HTTP on the same port (the page DevTools inspects, peers' pages).

import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface StreamServerOptions {
  applicationId?: string;
  javascriptKey?: string;
  /** Static HTTP routes: path → body (content type from the extension). */
  pages?: Record<string, string | Buffer>;
}

export interface Subscriber {
  session: Session;
  requestId: number;
  className: string;
}

/** One WebSocket connection. */
export class Session {
  clientId: string | undefined;
  readonly subscriptions = new Map<number, string>();
  closed = false;
  private readonly waiters: (() => void)[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly server: StreamServer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.server.forget(this);
    });
    socket.on('error', () => undefined);
  }

  /** Writes a buffer; resolves once the socket has taken it (it may sit in the kernel's send buffer). */
  write(data: Buffer): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.socket.write(data)) resolve();
      else this.socket.once('drain', resolve);
    });
  }

  sendText(text: string): void {
    if (!this.closed) this.socket.write(encodeFrame(text));
  }

  /** Writes `data` in chunks, honouring back-pressure. Returns when the last byte was handed to the kernel. */
  async writeAll(data: Buffer, chunkSize = 256 * 1024): Promise<void> {
    for (let offset = 0; offset < data.length && !this.closed; offset += chunkSize) {
      await this.write(data.subarray(offset, Math.min(data.length, offset + chunkSize)));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    this.socket.destroySoon?.();
  }

  /** Resolves when this session has a subscription. */
  whenSubscribed(): Promise<void> {
    if (this.subscriptions.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const frame = decodeFrame(this.buffered);
      if (!frame) return;
      this.buffered = this.buffered.subarray(frame.length);
      if (frame.opcode === 0x8) {
        this.close();
        return;
      }
      if (frame.opcode === 0x9) {
        this.socket.write(encodeFrame(frame.payload, 0xa));
        continue;
      }
      if (frame.opcode === 0xa) continue;
      this.fragments.push(frame.payload);
      if (!frame.fin) continue;
      const text = Buffer.concat(this.fragments).toString('utf8');
      this.fragments = [];
      this.onMessage(text);
    }
  }

  private onMessage(text: string): void {
    let message: { op?: string; requestId?: number; query?: { className?: string } } = {};
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      // Not JSON: a message of some other protocol (see StreamServer.nextMessage).
    }
    switch (message?.op) {
      case 'connect':
        this.clientId = randomUUID();
        this.sendText(JSON.stringify({ op: 'connected', clientId: this.clientId }));
        return;
      case 'subscribe':
      case 'update': {
        const requestId = Number(message.requestId);
        this.subscriptions.set(requestId, String(message.query?.className ?? ''));
        this.sendText(JSON.stringify({ op: 'subscribed', clientId: this.clientId, requestId }));
        for (const waiter of this.waiters.splice(0)) waiter();
        this.server.subscribed(this, requestId);
        return;
      }
      case 'unsubscribe': {
        const requestId = Number(message.requestId);
        this.subscriptions.delete(requestId);
        this.sendText(JSON.stringify({ op: 'unsubscribed', clientId: this.clientId, requestId }));
        return;
      }
      default:
        this.server.otherMessage(this, text);
        return;
    }
  }
}

export class StreamServer {
  readonly sessions = new Set<Session>();
  private nextId = 1;
  /** Called with the path and body of every POST request (answered 204). */
  onPost: ((path: string, body: string) => void) | undefined;
  private readonly subscribeWaiters: ((subscriber: Subscriber) => void)[] = [];
  private readonly messageWaiters: ((message: { session: Session; text: string }) => void)[] = [];
  private port = 0;

  private constructor(
    private readonly http: Server,
    readonly applicationId: string,
    readonly javascriptKey: string,
    private readonly pages: Map<string, string | Buffer>,
  ) {}

  static async start(options: StreamServerOptions = {}): Promise<StreamServer> {
    const pages = new Map(Object.entries(options.pages ?? {}));
    const http = createServer();
    const server = new StreamServer(http, options.applicationId ?? 'bench-app', options.javascriptKey ?? 'bench-js', pages);
    http.on('request', (request: IncomingMessage, response: ServerResponse) => server.serve(request, response));
    http.on('upgrade', (request: IncomingMessage, socket: Socket) => server.upgrade(request, socket));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server.port = (http.address() as AddressInfo).port;
    return server;
  }

  get liveQueryURL(): string {
    return `ws://127.0.0.1:${this.port}/parse`;
  }

  httpURL(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  setPage(path: string, body: string | Buffer): void {
    this.pages.set(path, body);
  }

  /** The next subscription made on any session (or one already made on a session that has no stream yet). */
  nextSubscriber(timeoutMs = 30_000): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscription within ${timeoutMs} ms`)), timeoutMs);
      this.subscribeWaiters.push((subscriber) => {
        clearTimeout(timer);
        resolve(subscriber);
      });
    });
  }

  /** @internal */
  subscribed(session: Session, requestId: number): void {
    const waiter = this.subscribeWaiters.shift();
    waiter?.({ session, requestId, className: session.subscriptions.get(requestId) ?? '' });
  }

  /**
   * The next text message that is not a LiveQuery request (no known `op`), on any session: how a client of some
   * other protocol (a plain WebSocket feed) says it is ready for its stream.
   */
  nextMessage(timeoutMs = 30_000): Promise<{ session: Session; text: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
      this.messageWaiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  /** @internal */
  otherMessage(session: Session, text: string): void {
    this.messageWaiters.shift()?.({ session, text });
  }

  /** @internal */
  forget(session: Session): void {
    this.sessions.delete(session);
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.socket.destroy();
    this.sessions.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        response.writeHead(204, { 'access-control-allow-origin': '*' }).end();
        this.onPost?.(path, body);
      });
      return;
    }
    const body = this.pages.get(path);
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const type = path.endsWith('.js')
      ? 'text/javascript'
      : path.endsWith('.css')
        ? 'text/css'
        : path.endsWith('.json')
          ? 'application/json'
          : 'text/html; charset=utf-8';
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  }

  private upgrade(request: IncomingMessage, socket: Socket): void {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.sessions.add(new Session(this.nextId++, socket, this));
  }
}

/** An unmasked server→client frame (text by default). */
export function encodeFrame(payload: string | Buffer, opcode = 0x1): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = body.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, body]);
}

/** Many text frames in one buffer, ready to be written in big chunks. */
export function encodeFrames(texts: readonly string[]): Buffer {
  return Buffer.concat(texts.map((text) => encodeFrame(text)));
}

interface DecodedFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes the frame takes in the input. */
  length: number;
}

/** Decodes one (masked or unmasked) frame from the start of `data`, or returns undefined when it is incomplete. */
export function decodeFrame(data: Buffer): DecodedFrame | undefined {
  if (data.length < 2) return undefined;
  const fin = (data[0]! & 0x80) !== 0;
  const opcode = data[0]! & 0x0f;
  const masked = (data[1]! & 0x80) !== 0;
  let length = data[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (data.length < offset + length) return undefined;
  const payload = Buffer.from(data.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= data[maskOffset + (i % 4)]!;
  return { fin, opcode, payload, length: offset + length };
}

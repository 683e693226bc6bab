// A WebSocket server on 127.0.0.1 whose replies each test scripts, for driving a client through exact frame sequences.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ScriptedConnection {
  socket: WebSocket;
  /** Parsed client frames received on this connection, in order. */
  received: Record<string, unknown>[];
  send(frame: unknown): void;
  sendText(text: string): void;
  nextFrame(predicate?: (frame: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<void>;
}

export interface ScriptedServer {
  url: string;
  port: number;
  connections: ScriptedConnection[];
  /** Number of client sockets currently open. */
  openCount(): number;
  nextConnection(timeoutMs?: number): Promise<ScriptedConnection>;
  /** Answer `connect` with `connected` automatically (default true). */
  autoConnect: boolean;
  /** Answer `subscribe`/`update` with `subscribed` and `unsubscribe` with `unsubscribed` automatically (default true). */
  autoSubscribe: boolean;
  close(): Promise<void>;
}

/** `port`: a fixed port (e.g. one a client is already retrying); a free one by default. */
export async function startScriptedServer(options: { port?: number } = {}): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const connections: ScriptedConnection[] = [];
  const waiters: ((c: ScriptedConnection) => void)[] = [];
  let clientCounter = 0;

  const server: ScriptedServer = {
    url: `ws://127.0.0.1:${port}/parse`,
    port,
    connections,
    autoConnect: true,
    autoSubscribe: true,
    openCount: () => [...wss.clients].filter((s) => s.readyState === s.OPEN).length,
    nextConnection(timeoutMs = 3000) {
      return withTimeout(new Promise((resolve) => waiters.push(resolve)), timeoutMs, 'no new connection');
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };

  wss.on('connection', (socket) => {
    const clientId = `client-${++clientCounter}`;
    const frameWaiters: { predicate: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }[] = [];
    let consumed = 0;
    const connection: ScriptedConnection = {
      socket,
      received: [],
      send: (frame) => socket.send(JSON.stringify(frame)),
      sendText: (text) => socket.send(text),
      nextFrame(predicate = () => true, timeoutMs = 3000) {
        for (let i = consumed; i < connection.received.length; i++) {
          const frame = connection.received[i]!;
          if (predicate(frame)) {
            consumed = i + 1;
            return Promise.resolve(frame);
          }
        }
        return withTimeout(new Promise((resolve) => frameWaiters.push({ predicate, resolve })), timeoutMs, 'no matching frame');
      },
      closed: new Promise((resolve) => socket.on('close', () => resolve())),
    };
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      connection.received.push(frame);
      const index = frameWaiters.findIndex((w) => w.predicate(frame));
      if (index >= 0) {
        consumed = connection.received.length;
        frameWaiters.splice(index, 1)[0]!.resolve(frame);
      }
      if (frame.op === 'connect' && server.autoConnect) connection.send({ op: 'connected', clientId });
      if ((frame.op === 'subscribe' || frame.op === 'update') && server.autoSubscribe) {
        connection.send({ op: 'subscribed', clientId, requestId: frame.requestId });
      }
      if (frame.op === 'unsubscribe' && server.autoSubscribe) {
        connection.send({ op: 'unsubscribed', clientId, requestId: frame.requestId });
      }
    });
    connections.push(connection);
    waiters.shift()?.(connection);
  });
  return server;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Resolves with the arguments of the next `event` emitted by an emitter with once(). */
export function nextEvent<Args extends unknown[] = unknown[]>(
  emitter: { once(event: never, listener: never): unknown },
  event: string,
  timeoutMs = 3000,
): Promise<Args> {
  const subscribe = emitter.once.bind(emitter) as unknown as (event: string, listener: (...args: Args) => void) => unknown;
  return withTimeout(new Promise<Args>((resolve) => subscribe(event, (...args: Args) => resolve(args))), timeoutMs, `event "${event}"`);
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check()` holds, a few ms at a time; throws after `timeoutMs` (only a failing test waits that long). */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

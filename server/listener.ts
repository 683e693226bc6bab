// One HTTP listener that serves REST requests and accepts WebSocket upgrades on any path; it can close and listen again.

import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export class Listener {
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Socket>();

  constructor(
    handleRequest: (req: IncomingMessage, res: ServerResponse) => void,
    acceptSocket: (ws: WebSocket) => void,
  ) {
    this.server = http.createServer(handleRequest);
    this.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
    });
    // Like Parse Server (ws attached to the HTTP server without a `path`), any path may be upgraded.
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.wss.handleUpgrade(req, socket, head, acceptSocket);
    });
    this.server.on('clientError', (_error, socket: Socket) => socket.destroy());
  }

  async listen(port: number, host: string): Promise<number> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Closes the listener and destroys every connection, upgraded ones included (no close handshake). */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await closed;
  }
}

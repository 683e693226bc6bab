// The part of the WebSocket API the client uses, satisfied by the browser's WebSocket and by the `ws` package.

export const SOCKET_CONNECTING = 0;
export const SOCKET_OPEN = 1;
export const SOCKET_CLOSED = 3;

export interface SocketCloseEvent {
  code: number;
  reason: string;
  wasClean?: boolean;
}

/*
 * Handler parameters are typed `never` so that both implementations' own event types are assignable;
 * the client assigns handlers that take the structural shape it actually reads.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

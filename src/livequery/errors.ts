// The errors the LiveQuery client throws or emits, each with a stable `code` to test against instead of its message.

/** A received frame the client could not accept; the client stays up and keeps its subscriptions. */
export class InvalidFrameError extends Error {
  override name = 'InvalidFrameError';
  readonly code = 'INVALID_FRAME';
  constructor(
    readonly reason: string,
    readonly raw: string,
  ) {
    super(`Invalid LiveQuery frame: ${reason}`);
  }
}

/** The socket failed (refused, DNS, TLS, dropped); the client reconnects on its own. */
export class SocketError extends Error {
  override name = 'SocketError';
  readonly code = 'SOCKET_ERROR';
}

/** What was passed as a query cannot be sent as one; the message says why. */
export class InvalidQueryError extends Error {
  override name = 'InvalidQueryError';
  readonly code = 'INVALID_QUERY';
}

export type LiveQueryErrorCode = (InvalidFrameError | SocketError | InvalidQueryError)['code'];

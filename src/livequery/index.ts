// Public entry of the LiveQuery client library.
export { LiveQueryClient, validateServerURL } from './client.js';
export type { ClientEvents, ClientState, FrameRecord, LiveQueryClientOptions, StateChange } from './client.js';
export { InvalidFrameError, InvalidQueryError, SocketError } from './errors.js';
export type { LiveQueryErrorCode } from './errors.js';
export { Subscription } from './subscription.js';
export type { EventResponse, SubscriptionEvents, SubscriptionState } from './subscription.js';
export { normalizeQuery } from './query.js';
export type { PlainQuery, QueryInput, QueryLike } from './query.js';
export { backoffCeilingMs, backoffDelayMs, MAX_BACKOFF_SECONDS } from './backoff.js';
export * from './protocol.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';

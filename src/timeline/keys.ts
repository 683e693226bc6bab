// The string keys that name a record's source and a subscription: for filters, display names, exports and HAR entries.

import { unreachable, type RecordSource } from './record.js';

/** `extension`, `server:<serverId>`, `document:<frameId>` or `pageSocket:<socketId>`. */
export function sourceKey(source: RecordSource): string {
  switch (source.type) {
    case 'extension':
      return 'extension';
    case 'server':
      return `server:${source.serverId}`;
    case 'document':
      return `document:${source.frameId}`;
    case 'pageSocket':
      return `pageSocket:${source.socketId}`;
    default:
      return unreachable(source);
  }
}

/** A subscription: one the extension owns on a server, or one a page socket made (by its requestId). */
export type SubscriptionRef =
  | { type: 'server'; serverId: string; subscriptionId: string }
  | { type: 'pageSocket'; socketId: string; requestId: number };

/** Its owner's source key and its id: `server:<serverId>/<subscriptionId>` or `pageSocket:<socketId>/<requestId>`. */
export function subscriptionKey(ref: SubscriptionRef): string {
  switch (ref.type) {
    case 'server':
      return `server:${ref.serverId}/${ref.subscriptionId}`;
    case 'pageSocket':
      return `pageSocket:${ref.socketId}/${ref.requestId}`;
    default:
      return unreachable(ref);
  }
}

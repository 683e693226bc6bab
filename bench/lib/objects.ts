// Realistic Parse objects (~320 bytes of JSON, as Parse Server's LiveQuery sends them) and their event frames.

const BASE = Date.UTC(2025, 0, 1);

/** A deterministic 10-character objectId that encodes `index` (see indexOfObjectId). */
export function objectIdOf(index: number): string {
  return 'G' + index.toString(36).padStart(9, '0');
}

export function indexOfObjectId(objectId: string): number {
  return parseInt(objectId.slice(1), 36);
}

/** The JSON text of the index-th Game object; `sentAt` (epoch ms) is added when given. */
export function gameObjectJSON(index: number, sentAt?: number): string {
  const created = new Date(BASE + index * 1000).toISOString();
  const player = 'u' + ((index * 7919) % 1_000_000).toString(36).padStart(9, '0');
  const object: Record<string, unknown> = {
    className: 'Game',
    objectId: objectIdOf(index),
    createdAt: created,
    updatedAt: created,
    score: (index * 37) % 10_000,
    playerName: `player-${index % 5000}`,
    level: index % 50,
    cheatMode: index % 13 === 0,
    player: { __type: 'Pointer', className: '_User', objectId: player },
    ACL: { '*': { read: true }, [player]: { read: true, write: true } },
  };
  if (sentAt !== undefined) object.sentAt = sentAt;
  return JSON.stringify(object);
}

/** A `create` event frame as Parse Server 9 sends it. */
export function createFrame(clientId: string, requestId: number, objectJSON: string): string {
  return `{"op":"create","clientId":"${clientId}","requestId":${requestId},"object":${objectJSON}}`;
}

// What a conformance or client test needs to know about a LiveQuery server under test, whichever kind it is.

/** `fleet`: the embedded server as a LiveQuery-only node beside Parse Server's own, on one Redis; writes go to Parse Server. */
export type TargetKind = 'parse-server' | 'embedded' | 'fleet';

/** Classes that every target serves over LiveQuery (Parse Server needs them configured up front). */
export const LIVE_CLASSES = ['Game', 'Message', 'Note', 'Item'] as const;

export interface LiveQueryTarget {
  kind: TargetKind;
  /** ws://127.0.0.1:<port>/parse */
  liveQueryURL: string;
  /** http://127.0.0.1:<port>/parse — the Parse REST API root */
  restURL: string;
  applicationId: string;
  javascriptKey: string;
  masterKey: string;
  /** Stops the server (sockets are dropped, no close handshake needed) and starts it again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

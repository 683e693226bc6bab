// The service worker's views (servers, former servers, page sockets) are whole snapshots, sent with every batch whose
// events changed a count. Applied as they come, they re-render the sidebar several times per frame under a busy stream;
// applied once per frame, together with the timeline's rows, only the newest of each counts.

import type { WorkerMessage } from '../adapters/port.js';

type BatchMessage = Extract<WorkerMessage, { type: 'batch' }>;
export type WorkerViews = Pick<BatchMessage, 'servers' | 'formerServers' | 'pageSockets'>;

/** A hidden panel gets no animation frames: its views still apply after this long. */
export const VIEWS_FALLBACK_MS = 100;

export interface ViewUpdatesDeps {
  nextFrame(callback: () => void): void;
  after(ms: number, callback: () => void): void;
  apply(views: WorkerViews): void;
}

export function createViewUpdates({ nextFrame, after, apply }: ViewUpdatesDeps) {
  let pending: WorkerViews | undefined;
  const flush = () => {
    if (!pending) return;
    const views = pending;
    pending = undefined;
    apply(views);
  };
  return {
    /** Keeps the newest of each view until the next frame. */
    receive(views: WorkerViews): void {
      if (!views.servers && !views.formerServers && !views.pageSockets) return;
      const first = !pending;
      pending = {
        servers: views.servers ?? pending?.servers,
        formerServers: views.formerServers ?? pending?.formerServers,
        pageSockets: views.pageSockets ?? pending?.pageSockets,
      };
      if (!first) return;
      nextFrame(flush);
      after(VIEWS_FALLBACK_MS, flush);
    },
    /** Applies what is waiting now (before something that must see the newest views, e.g. a welcome). */
    flush,
    /** Forgets what is waiting (a welcome brings newer views). */
    drop(): void {
      pending = undefined;
    },
  };
}

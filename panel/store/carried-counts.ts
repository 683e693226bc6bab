// Event counts across service-worker restarts. A restarted worker counts every subscription's events from 0 again,
// while a panel that lived through the restart still shows the earlier worker's rows: the counts it showed then
// become the base the new counts add to, so the counters match the rows on screen. A panel opened after the restart
// has none of the earlier rows, and no base.
//
// Why the panel and not the worker: the worker would have to save the counts with every event to survive its own
// stop (it can be stopped at any moment, and a write per event costs the stream), and a panel opened later would
// then show counts of rows it never got.

import { subscriptionKey } from '../../src/timeline/keys.js';
import type { EventCounts, PageSocketView, ServerView } from '../../src/views.js';

const add = (a: EventCounts, b: EventCounts): EventCounts => ({
  create: a.create + b.create,
  enter: a.enter + b.enter,
  update: a.update + b.update,
  leave: a.leave + b.leave,
  delete: a.delete + b.delete,
});

const serverSubKey = (server: ServerView, id: string) => subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: id });
const pageSubKey = (socket: PageSocketView, requestId: number) => subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId });

export function createCarriedCounts() {
  let epoch: string | undefined;
  let base = new Map<string, EventCounts>();

  return {
    /** A welcome from worker `next`, with what the panel shows now (counts already carried). */
    workerStarted(next: string, shownServers: readonly ServerView[], shownSockets: readonly PageSocketView[]): void {
      if (epoch !== undefined && next !== epoch) {
        base = new Map();
        for (const server of shownServers) for (const sub of server.subscriptions) base.set(serverSubKey(server, sub.id), sub.counts);
        for (const socket of shownSockets) for (const sub of socket.subscriptions) base.set(pageSubKey(socket, sub.requestId), sub.counts);
      }
      epoch = next;
    },
    servers(list: ServerView[]): ServerView[] {
      if (!base.size) return list;
      return list.map((server) => ({
        ...server,
        subscriptions: server.subscriptions.map((sub) => {
          const carried = base.get(serverSubKey(server, sub.id));
          return carried ? { ...sub, counts: add(carried, sub.counts) } : sub;
        }),
      }));
    },
    sockets(list: PageSocketView[]): PageSocketView[] {
      if (!base.size) return list;
      return list.map((socket) => ({
        ...socket,
        subscriptions: socket.subscriptions.map((sub) => {
          const carried = base.get(pageSubKey(socket, sub.requestId));
          return carried ? { ...sub, counts: add(carried, sub.counts) } : sub;
        }),
      }));
    },
  };
}

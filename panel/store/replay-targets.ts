// What Replay loads with its first recording: reading the recording's plan, and finding the page subscription each of
// its recorded subscriptions plays into.

import { matchesRecorded, type RecordedSubscription } from '../../src/inject/replay-plan.js';
import type { PageSocketView } from '../../src/views.js';
import type { ReplayTarget } from './replay.js';

export { readReplayPlan } from '../../src/inject/replay-plan.js';

/** The first open page subscription each recorded subscription matches (class, and where when recorded). */
export function matchTargets(recorded: readonly RecordedSubscription[], sockets: readonly PageSocketView[]): Map<string, ReplayTarget> {
  const targets = new Map<string, ReplayTarget>();
  for (const subscription of recorded) {
    for (const socket of sockets) {
      if (socket.state !== 'open') continue;
      const sub = socket.subscriptions.find(
        (s) => (s.state === 'subscribed' || s.state === 'pending') && !s.queryOmitted && matchesRecorded(subscription, s.query),
      );
      if (sub) {
        targets.set(subscription.key, { socketId: socket.id, requestId: sub.requestId });
        break;
      }
    }
  }
  return targets;
}

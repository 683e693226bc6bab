// What drops an event where no client can see it (from parse-server 9.x's ParseLiveQueryServer.js, Auth.js,
// RestWrite.js and LiveQueryController.js), each with how to check it. None of these sends a frame.

import type { WhyTarget } from './why-target.js';

export interface HiddenCause {
  id: 'classNames' | 'afterLiveQueryEvent' | 'roleCache' | 'pointerPermissions' | 'secondToken' | 'pubSub' | 'sessionCache' | 'regexTimeout';
  /** What happens, in one sentence with the subscription's class. */
  what: string;
  /** How to check it. */
  check: string;
}

export function hiddenCauses(target: Pick<WhyTarget, 'className' | 'query' | 'token' | 'connectionToken' | 'connectionMaster'>): HiddenCause[] {
  const name = target.className;
  const causes: HiddenCause[] = [
    {
      id: 'classNames',
      what: `Parse Server publishes a write to LiveQuery only when ${name} matches an entry of liveQuery.classNames (each entry is a regex, anchored ^…$): otherwise no subscription on ${name} ever gets an event, and subscribing still succeeds.`,
      check: `Look at the server's liveQuery: { classNames } (or PARSE_SERVER_LIVEQUERY_CLASSNAMES). From here: subscribe to ${name} with the master key and save any ${name}: no event at all means it is not published.`,
    },
    {
      id: 'afterLiveQueryEvent',
      what: `A Parse.Cloud.afterLiveQueryEvent('${name}') trigger that sets sendEvent = false drops the event silently (one that throws sends an error frame with its code instead, which the timeline shows).`,
      check: `Search the cloud code for afterLiveQueryEvent('${name}' and for sendEvent; the server's verbose log names the trigger when it runs.`,
    },
    {
      id: 'roleCache',
      what: `Each LiveQuery node keeps a token's user and roles for cacheTimeout (default 5 s, up to 500 tokens), and Parse Server caches roles for cacheTTL (default 5 s). Saving a _Role clears a node's cache only for the user who made the write (for no one when the master key made it), so a user just added to a role can still be refused for a few seconds.`,
      check: 'Save the object again after cacheTimeout has passed (5 s unless the server sets liveQueryServerOptions.cacheTimeout): an event now means the role cache was stale.',
    },
    {
      id: 'pointerPermissions',
      what: `Class-level permissions: a find/get that the CLP refuses makes subscribe fail with an error frame, but pointer permissions (readUserFields or pointerFields) skip every event whose pointer field does not point to this user, silently.`,
      check: `With the server entry's master key this view reads them (GET /schemas/${name}) and checks them in the verdict; else look at the dashboard's Security panel.`,
    },
    {
      id: 'pubSub',
      what: 'A write reaches only the LiveQuery nodes that share its Parse Server\'s pub/sub: with several servers, every Parse Server and LiveQuery node needs the same liveQuery.redisURL, or events reach the clients of one node only (or none).',
      check: 'Compare liveQuery.redisURL (and the LiveQuery server\'s redisURL) on every node; subscribe from the panel on the same URL with the master key and save an object through each Parse Server.',
    },
  ];
  if (!target.connectionMaster && target.token) {
    causes.push({
      id: 'sessionCache',
      what: 'A token that no longer resolves is remembered as invalid for cacheTimeout; one deleted after the subscription was made may still receive events (parse-server #6943): the token checked here is the one the server sees now.',
      check: 'After a logout or a revoked session, unsubscribe and subscribe again with a valid token (the Parse docs advise it: otherwise you may face a security issue).',
    });
  }
  if (target.query?.where && JSON.stringify(target.query.where).includes('"$regex"')) {
    causes.push({
      id: 'regexTimeout',
      what: 'A $regex that takes longer than liveQuery.regexTimeout (100 ms by default) to run on an object counts as not matching: on a busy node, or with a slow pattern on long text, the event is dropped silently, and a later one may come as enter/leave instead of update.',
      check: 'Look for the warning "Regex timeout: pattern … exceeded N ms limit" in the Parse Server log; anchor the pattern (^…) and keep it simple, or raise liveQuery.regexTimeout.',
    });
  }
  if (target.connectionToken) {
    causes.push({
      id: 'secondToken',
      what: "This subscription has its own token and the connection another: Parse Server checks the ACL with the subscription's token, then with the connection's, so an object either can read arrives.",
      check: "Compare the two verdicts this view shows (one per token), and subscribe with the token you mean: a stale connection token (another user's, from before a logout) is a common mix-up.",
    });
  }
  return causes;
}

// Lints the session token situation: which token applies to a subscription, as Parse Server 9.10 decides.
//
// The subscription's own token and the connection's both count for ACL reads (either one is enough); an empty
// token counts as none; `null` fails the request schema (code 1).

import { finding } from './describe.js';
import type { LintFinding } from './types.js';

export function lintTokens(className: string, own: string | null | undefined, connection: string | null | undefined): LintFinding[] {
  const out: LintFinding[] = [];
  if (own === null) {
    out.push(finding('null-session-token', 'refused', 'The subscribe frame carries "sessionToken": null: Parse Server refuses it (code 1, "Invalid type: null (expected string)") and, with reconnect: true, SDKs reconnect and send it again', 'Leave sessionToken out when there is no user (the SDK sends null when the current user has no token)', 'sessionToken'));
  }
  if (connection === null) {
    out.push(finding('null-connection-token', 'refused', 'The connection\'s connect frame carries "sessionToken": null: Parse Server refuses the connect (code 1), so no subscription on it works', 'Leave sessionToken out of the connect frame when there is no user', 'connectionToken'));
  }
  if (own === '') {
    const applies = connection ? 'the connection\'s token applies instead' : 'no user applies (public objects only)';
    out.push(finding('empty-session-token', 'warning', `The subscription's token is an empty text, which Parse Server treats as no token: ${applies}`, 'Pick a token from the keyring, or leave it out on purpose', 'sessionToken'));
  }
  if (own && connection && own !== connection) {
    out.push(finding('token-differs', 'warning', 'The subscription\'s token differs from the connection\'s: Parse Server lets either one read, so events readable by the connection\'s user arrive too', 'To see only what one user sees, use one token: connect without a token (or with the same one)', 'sessionToken'));
  }
  const anyToken = !!own || !!connection;
  if (className === '_Session' && !anyToken && own !== null && connection !== null) {
    out.push(finding('session-class-without-token', 'refused', 'Subscribing to _Session needs a user\'s session token: without one Parse Server refuses it (code 209, "Invalid session token"), even with the master key', 'Subscribe with a session token; the server then limits it to that user\'s sessions', 'query.className'));
  }
  return out;
}

// A live subscription's revoked or expired token: Parse's advice, and one click to resubscribe with another keyring
// token (a panel subscription) or what the page's app must do (one of its own).

import { useState } from 'preact/hooks';
import { useTokenRadar } from '../store/index.js';
import { PARSE_TOKEN_ADVICE, type TokenAlert as Alert } from '../store/token-radar.js';

/** The red banner of a subscription whose token was revoked or has expired. */
export function TokenAlert({ alert }: { alert: Alert }) {
  const radar = useTokenRadar();
  const [error, setError] = useState<string | null>(null);
  const replacements = alert.owned ? radar.replacementsFor(alert) : [];
  const which = alert.provenance.source === 'connection' ? "The connection's session token" : 'Its session token';
  const name = alert.tokenLabel ? ` "${alert.tokenLabel}"` : '';
  return (
    <div class="token-alert" role="alert" data-testid="token-alert" data-state={alert.state}>
      <strong>
        {which}
        {name} {alert.state === 'revoked' ? 'was revoked' : 'has expired'}
      </strong>{' '}
      ({alert.check.detail}). The server keeps this subscription live, but what only that user could read no longer
      arrives.
      <blockquote data-testid="token-alert-advice">“{PARSE_TOKEN_ADVICE}”</blockquote>
      {alert.owned ? (
        replacements.length ? (
          <div class="line actions">
            {replacements.map((entry) => (
              <button
                type="button"
                key={entry.id}
                data-testid="token-alert-resubscribe"
                data-token-name={entry.name}
                onClick={() => radar.resubscribe(alert, entry).catch((e: Error) => setError(e.message))}
              >
                Resubscribe as {entry.name}
              </button>
            ))}
          </div>
        ) : (
          <div class="muted">No other token of this server in the keyring: log in or paste one under Session tokens.</div>
        )
      ) : (
        <div class="muted">This is the page's own subscription: its app must unsubscribe and subscribe again.</div>
      )}
      {error ? <div class="error-text">{error}</div> : null}
    </div>
  );
}

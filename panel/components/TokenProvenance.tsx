// A subscription's token in one element: which token applies (its own, the connection's, none) and whose it is, as
// the radar last heard; and, while the subscription is live on a revoked or expired token, a red banner with Parse's
// advice and one click to resubscribe with another keyring token.

import { useTokenRadar } from '../store/index.js';
import type { TokenProvenance } from '../store/token-provenance.js';
import type { TokenStatus } from '../store/token-radar.js';
import { formatClock } from './format.js';
import { lazyComponent } from './lazy.js';

// Shown only once the radar flags a token, which takes a REST answer: it loads after the first paint.
const AlertBanner = lazyComponent('the token alert', () => import('./TokenAlert.js').then((m) => m.TokenAlert));

const SOURCE_WORDS: Record<TokenProvenance['source'], string> = {
  subscription: 'its own token',
  connection: "the connection's token",
  none: 'no token (anonymous: public objects only)',
};

/** An ISO time as the panel's clock time, with the date when it is not today. */
function when(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const sameDay = new Date(time).toDateString() === new Date().toDateString();
  return sameDay ? formatClock(time).slice(0, 8) : new Date(time).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** The radar's verdict on a token, in words (also used by the keyring's rows). */
export function TokenVerdict({ status }: { status: TokenStatus | undefined }) {
  const check = status?.check;
  if (!check) {
    return (
      <span class="muted" data-testid="token-verdict" data-state={status?.checking ? 'checking' : 'unchecked'}>
        {status?.checking ? 'checking…' : 'not checked'}
      </span>
    );
  }
  const at = `checked ${formatClock(check.checkedAt).slice(0, 8)}${status.checking ? ', checking again…' : ''}`;
  switch (check.state) {
    case 'valid':
      return (
        <span data-testid="token-verdict" data-state="valid" title={at}>
          <span class="token-user">{check.owner.username || '(no username)'}</span> <code>{check.owner.objectId}</code>
          {check.owner.expiresAt ? <span class="muted"> · session expires {when(check.owner.expiresAt)}</span> : null}
          <span class="badge token-valid"> valid</span>
        </span>
      );
    case 'revoked':
      return (
        <span data-testid="token-verdict" data-state="revoked" title={at}>
          <span class="badge token-invalid">revoked</span> <span class="muted">{check.detail}</span>
        </span>
      );
    case 'expired':
      return (
        <span data-testid="token-verdict" data-state="expired" title={at}>
          {check.owner ? <span class="token-user">{check.owner.username} </span> : null}
          <span class="badge token-invalid">expired</span> <span class="muted">{check.detail}</span>
        </span>
      );
    case 'unknown':
      return (
        <span data-testid="token-verdict" data-state="unknown" title={at}>
          <span class="badge token-unknown">could not check</span> <span class="muted">{check.reason}</span>
        </span>
      );
  }
}

/** One element per subscription row: provenance, whose, the radar's verdict, Check, and the alert when flagged. */
export function SubscriptionToken({ provenance, subscriptionKey }: { provenance: TokenProvenance; subscriptionKey: string }) {
  const radar = useTokenRadar();
  const status = radar.statusOf(provenance.creds);
  const alert = radar.alertOf(subscriptionKey);
  const creds = provenance.creds;
  return (
    <div class="token-provenance" data-testid="token-provenance" data-source={provenance.source}>
      <div class="line muted">
        <span title="Parse Server decides events with the subscription's own token, else the connection's">applies: {SOURCE_WORDS[provenance.source]}</span>
        {provenance.token ? (
          creds ? (
            <>
              <TokenVerdict status={status} />
              <button type="button" class="link-button" data-testid="token-check-one" disabled={status?.checking} onClick={() => void radar.check(creds)}>
                Check
              </button>
            </>
          ) : (
            <span>could not check: {provenance.uncheckable}</span>
          )
        ) : null}
      </div>
      {alert ? <AlertBanner alert={alert} /> : null}
    </div>
  );
}

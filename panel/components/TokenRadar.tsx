// The token radar in the keyring: each token's verdict with a Check button, and Check all with the periodic interval.

import type { TokenEntry } from '../../src/keyring.js';
import { useTokenRadar } from '../store/index.js';
import { TokenVerdict } from './TokenProvenance.js';

/** A keyring row's element: whose the token is (as the server last said) and Check. */
export function KeyringTokenCheck({ entry }: { entry: TokenEntry }) {
  const radar = useTokenRadar();
  const creds = radar.credsOfEntry(entry);
  if (!creds) return null;
  const status = radar.statusOf(creds);
  return (
    <span class="token-radar" data-testid="keyring-token-radar">
      <TokenVerdict status={status} />
      <button type="button" class="link-button" data-testid="token-check" disabled={status?.checking} onClick={() => void radar.check(creds)}>
        Check
      </button>
    </span>
  );
}

/** Checks every token now (the keyring's and every subscription's); they are checked every N seconds anyway. */
export function CheckAllTokens() {
  const radar = useTokenRadar();
  return (
    <div class="line muted token-radar-all">
      <button type="button" data-testid="token-check-all" title="Ask each server whose every token is (/users/me)" onClick={() => void radar.checkAll()}>
        Check all
      </button>
      <label title="While the panel is open, every token is checked this often">
        every{' '}
        <input
          type="number"
          min={1}
          max={86400}
          class="narrow-number"
          data-testid="token-check-seconds"
          value={radar.checkSeconds.value}
          onChange={(e) => radar.setCheckSeconds(Number(e.currentTarget.value))}
        />{' '}
        s
      </label>
    </div>
  );
}

// The picker of a server's keyring tokens (a subscription row, the composer): a name for each, anonymous, or the
// custom token in use.

import { useKeyring } from '../store/index.js';

/** Picks a subscription's token from the keyring; changing it resubscribes with the new token. */
export function TokenSelect({
  serverKey,
  value,
  onChange,
  testId,
}: {
  serverKey: string;
  value: string | undefined;
  onChange: (token: string | undefined, name: string) => void;
  testId: string;
}) {
  const keyring = useKeyring();
  const entries = keyring.forServer(serverKey);
  const known = !value || entries.some((e) => e.token === value);
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      title="Session token"
      onChange={(e) => {
        const token = e.currentTarget.value || undefined;
        onChange(token, keyring.nameOf(serverKey, token));
      }}
    >
      <option value="">anonymous</option>
      {entries.map((entry) => (
        <option key={entry.id} value={entry.token}>
          {entry.name}
        </option>
      ))}
      {!known ? <option value={value}>custom token</option> : null}
    </select>
  );
}

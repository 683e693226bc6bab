// Shows a secret (session token, key) masked, with a button to reveal it.

import { useState } from 'preact/hooks';

export function Secret({ value, label }: { value: string | undefined; label: string }) {
  const [shown, setShown] = useState(false);
  if (!value) return <span class="muted">none</span>;
  return (
    <span class="secret" data-testid="secret">
      <code>{shown ? value : '•'.repeat(8) + (value.length > 12 ? value.slice(-3) : '')}</code>
      <button
        type="button"
        class="icon-button"
        title={shown ? `Hide ${label}` : `Reveal ${label}`}
        aria-label={shown ? `Hide ${label}` : `Reveal ${label}`}
        onClick={() => setShown(!shown)}
      >
        {shown ? 'hide' : 'show'}
      </button>
    </span>
  );
}

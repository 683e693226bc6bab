// A server entry's check over REST (application id, JavaScript key, master key, REST URL): its verdict and Re-check.

import type { ServerSpec } from '../../src/views.js';
import { useServerChecks } from '../store/index.js';
import { formatClock } from './format.js';

export function ServerCheckVerdict({ spec }: { spec: ServerSpec }) {
  const checks = useServerChecks();
  const status = checks.statusOf(spec);
  const check = status?.check;
  const state = check ? (check.problem ?? 'ok') : 'checking';
  return (
    <div
      class={`line server-check ${check?.problem ? 'error-text' : 'muted'}`}
      role={check?.problem ? 'alert' : 'status'}
      data-testid="server-check"
      data-problem={state}
      onClick={(e) => e.stopPropagation()}
    >
      <span data-testid="server-check-summary">
        {check ? `${check.problem ? '⚠ ' : '✓ '}${check.summary}` : 'Checking the application id and keys over REST…'}
        {check ? <span class="muted"> (checked {formatClock(check.checkedAt).slice(0, 8)}{status?.checking ? ', checking again…' : ''})</span> : null}
      </span>
      <button type="button" class="link-button" data-testid="server-recheck" disabled={status?.checking} onClick={() => void checks.check(spec)}>
        Re-check
      </button>
    </div>
  );
}

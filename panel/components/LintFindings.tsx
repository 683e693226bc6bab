// Lint findings of a subscription: the full list (the composer, while typing) and a badge that opens it (each row).

import { useEffect, useState } from 'preact/hooks';
import type { LintFinding, LintSeverity } from '../../src/lint/index.js';
import { useLint } from '../store/index.js';
import type { LintResult, LintSubject } from '../store/lint.js';

const ICON: Record<LintSeverity, string> = { refused: '✖', never: '⊘', warning: '⚠' };
const LABEL: Record<LintSeverity, string> = { refused: 'refused', never: 'never fires', warning: 'warning' };

function FindingItem({ finding }: { finding: LintFinding }) {
  return (
    <li class={`lint-finding lint-${finding.severity}`} data-testid="lint-finding" data-lint-id={finding.id} data-severity={finding.severity}>
      <span class="lint-icon" aria-label={LABEL[finding.severity]} title={LABEL[finding.severity]}>
        {ICON[finding.severity]}
      </span>
      <span class="lint-text">
        <span data-testid="lint-message">{finding.message}</span>
        {finding.path ? <code class="lint-path">{finding.path}</code> : null}
        <span class="lint-fix" data-testid="lint-fix">
          Fix: {finding.fix}
        </span>
      </span>
    </li>
  );
}

/** The findings with their icons, fixes and where the field names came from. */
export function LintList({ result, extra, testId = 'lint-findings' }: { result: LintResult; extra?: string; testId?: string }) {
  const { worst, rulesNotReady } = result;
  return (
    <div class="lint" data-testid={testId} data-worst={rulesNotReady ? rulesNotReady.state : worst ?? 'none'}>
      {rulesNotReady ? (
        <div class={rulesNotReady.state === 'failed' ? 'error-text small' : 'muted small'} data-testid={`lint-rules-${rulesNotReady.state}`}>
          {rulesNotReady.message}
        </div>
      ) : result.findings.length ? (
        <ul class="lint-list">
          {result.findings.map((f, i) => (
            <FindingItem key={`${f.id}-${f.path ?? ''}-${i}`} finding={f} />
          ))}
        </ul>
      ) : (
        <div class="muted small" data-testid="lint-clean">
          No lint findings{extra ? '' : ': nothing here is refused or can never fire.'}
        </div>
      )}
      {extra ? <div class="lint-finding lint-warning" data-testid="lint-builder-check">{ICON.warning} Builder check: {extra}</div> : null}
      <div class="muted lint-note" data-testid="lint-fields-note">{result.fieldsNote}</div>
    </div>
  );
}

/** Lints a subject and reads its class's schema when the server entry can (after `delayMs`, e.g. while typing). */
export function useSubscriptionLint(subject: LintSubject, delayMs = 0): LintResult {
  const lint = useLint();
  const { creds } = subject;
  const className = subject.query.className;
  const key = creds ? `${creds.restURL}\n${creds.applicationId}\n${creds.masterKey ?? ''}\n${className}` : className;
  useEffect(() => {
    if (!delayMs) return lint.ensureSchema(creds, className);
    const timer = setTimeout(() => lint.ensureSchema(creds, className), delayMs);
    return () => clearTimeout(timer);
  }, [key]);
  return lint.lint(subject);
}

/** One element per subscription row: a badge with the count of findings by their worst severity; it opens the list. */
export function LintBadge({ subject }: { subject: LintSubject }) {
  const result = useSubscriptionLint(subject);
  const [open, setOpen] = useState(false);
  // No badge until the rules have arrived: an empty list then would read as a clean "✓ lint".
  if (result.rulesNotReady?.state === 'loading') return null;
  const failed = result.rulesNotReady?.state === 'failed';
  const { worst } = result;
  const count = result.findings.length;
  const parts = (['refused', 'never', 'warning'] as const)
    .map((severity) => [severity, result.findings.filter((f) => f.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n], i) => (i === 0 ? `${ICON[severity]} ${n} ${LABEL[severity]}` : `${ICON[severity]} ${n}`));
  const title = failed ? result.rulesNotReady!.message : worst ? `${count} lint finding${count === 1 ? '' : 's'} (worst: ${LABEL[worst]}): click for the reasons and fixes` : 'No lint findings';
  return (
    <div class="line lint-row">
      <button
        type="button"
        class={`badge lint-badge lint-${failed ? 'warning' : worst ?? 'clean'}`}
        data-testid="lint-badge"
        data-worst={failed ? 'failed' : worst ?? 'none'}
        aria-expanded={open}
        title={title}
        onClick={() => setOpen(!open)}
      >
        {failed ? 'lint unavailable' : worst ? parts.join(' · ') : '✓ lint'}
      </button>
      {open ? <LintList result={result} testId="lint-badge-findings" /> : null}
    </div>
  );
}

// One verdict of "Why no event?": its plain headline, every step of explainEvent (ok or not, with its detail), caveats.

import type { Verdict, VerdictStep } from '../store/why-verdict.js';
import { CELL_LIMIT, maskText, withNote } from './masked-text.js';

const STEP_NAMES: Record<VerdictStep['id'], string> = {
  input: 'Input',
  class: 'Class',
  'match-original': 'Original matches the query',
  'match-current': 'Saved object matches the query',
  clp: 'Class-level permissions',
  'acl-original': 'Original readable (ACL)',
  'acl-current': 'Saved object readable (ACL)',
  'event-type': 'Event type',
  watch: 'watch',
  payload: 'Payload (keys)',
};

/** Details carry values from the object and the query: masked and bounded like every other cell. */
const shown = (text: string) => withNote(maskText(text, CELL_LIMIT));

export function WhyChecklist({ verdict, testId, stale = false }: { verdict: Verdict; testId: string; stale?: boolean }) {
  return (
    <div class={`why-verdict ${verdict.event ? 'why-event' : 'why-no-event'} ${stale ? 'why-stale' : ''}`} data-testid={testId} data-event={verdict.event ?? 'none'}>
      <div class="why-headline" data-testid="why-headline" role="status">
        {shown(verdict.headline)}
      </div>
      <ol class="why-steps">
        {verdict.steps.map((step, i) => (
          <li key={`${step.id}-${i}`} class={step.ok ? 'ok' : 'not-ok'} data-testid="why-step" data-step={step.id} data-ok={String(step.ok)}>
            <span class="why-mark" aria-label={step.ok ? 'ok' : 'not ok'}>
              {step.ok ? '✓' : '✗'}
            </span>
            <span class="why-step-name">{STEP_NAMES[step.id] ?? step.id}</span>
            <span class="why-step-detail">{shown(step.detail)}</span>
          </li>
        ))}
      </ol>
      {verdict.caveats.length ? (
        <ul class="why-caveats" data-testid="why-caveats">
          {verdict.caveats.map((c) => (
            <li key={c}>{shown(c)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

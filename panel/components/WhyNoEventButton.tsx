// The entry point to "Why no event?": one small button on a subscription row, an event record or a result row.

import { useState } from 'preact/hooks';
import { useWhy } from '../store/index.js';

export function WhyNoEventButton({ subscriptionKey, objectId, label = 'Why no event?', testId = 'why-open' }: {
  subscriptionKey: string;
  /** Picks this object (a record's or a result row's) and looks it up at once. */
  objectId?: string;
  label?: string;
  testId?: string;
}) {
  const why = useWhy();
  const [gone, setGone] = useState(false);
  return (
    <>
      <button
        type="button"
        class={objectId ? 'why-pick' : undefined}
        data-testid={testId}
        title={objectId ? `Why this subscription gets (or not) an event for ${objectId}` : 'Give an objectId: the panel explains what Parse Server sends this subscription for it, and why'}
        onClick={(e) => {
          e.stopPropagation();
          setGone(!why.open(subscriptionKey, objectId));
        }}
      >
        {label}
      </button>
      {gone ? (
        <span class="muted" data-testid="why-gone">
          This subscription is gone: its query and token are no longer known
        </span>
      ) : null}
    </>
  );
}

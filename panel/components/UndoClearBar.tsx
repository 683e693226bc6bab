// The "Cleared N records — Undo" bar shown after Clear for a few seconds (longer while the pointer or focus is on it).

import { useEffect, useState } from 'preact/hooks';
import { useTimeline } from '../store/index.js';

/**
 * How long the offer stays. It does not end at the next record: under a live stream one arrives within milliseconds,
 * and the undo puts the cleared records back before the newer ones, so later records never make it ambiguous.
 */
export const UNDO_CLEAR_MS = 10_000;

export function UndoClearBar() {
  const timeline = useTimeline();
  const offer = timeline.undoableClear.value;
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (!offer || held) return;
    const timer = setTimeout(() => timeline.forgetClear(offer.id), UNDO_CLEAR_MS);
    return () => clearTimeout(timer);
  }, [offer?.id, held]);
  if (!offer) return null;
  const hold = () => setHeld(true);
  const release = () => setHeld(false);
  return (
    <div
      class="undo-bar"
      role="status"
      data-testid="undo-clear-bar"
      onMouseEnter={hold}
      onMouseLeave={release}
      onFocusIn={hold}
      onFocusOut={release}
    >
      <span>
        Cleared {offer.count.toLocaleString('en-US')} record{offer.count === 1 ? '' : 's'}
      </span>
      <button type="button" data-testid="undo-clear" title="Put the cleared records back (Ctrl+Z)" onClick={() => timeline.undoClear()}>
        Undo
      </button>
      <button type="button" class="icon-button" aria-label="Dismiss" title="Dismiss" onClick={() => timeline.forgetClear()}>
        ✕
      </button>
    </div>
  );
}

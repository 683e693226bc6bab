// Explains one LiveQuery decision: given a subscription, an object before and after a write and who subscribes,
// which event Parse Server 9.x sends (or why none), step by step in the order its `_onAfterSave` /
// `_onAfterDelete` decide. Not modelled (a client cannot see them): `liveQuery.classNames`, class-level
// permissions and protectedFields, `afterLiveQueryEvent` triggers, and a node's stale role cache.

import type { ParseJSON } from '../livequery/protocol.js';
import { describeAccess, readAccessOf } from './acl-step.js';
import { checkInput, type CheckedInput } from './input.js';
import { describeMatch, matchVersion, type MatchOutcome } from './match-step.js';
import { eventJSON, payloadStep } from './payload-step.js';
import type { ExplainEventType, ExplainInput, ExplainStep, Explanation } from './types.js';
import { watchStep } from './watch-step.js';

const NO_ORIGINAL = 'no original: this write is a create';

function stop(steps: ExplainStep[]): Explanation {
  return { event: null, steps, payload: null };
}

function classStep(input: CheckedInput): ExplainStep {
  const other = [input.original, input.object].find((o) => o && typeof o.className === 'string' && o.className !== input.className);
  if (other) {
    return {
      id: 'class',
      ok: false,
      detail: `the object is a ${String(other.className)} and the subscription is on ${input.className}: Parse Server compares an object only with subscriptions on its own class`,
    };
  }
  return { id: 'class', ok: true, detail: `Parse Server compares this ${input.className} object with every subscription on ${input.className}` };
}

function matchStep(id: 'match-original' | 'match-current', label: string, outcome: MatchOutcome): ExplainStep {
  return { id, ok: 'matched' in outcome && outcome.matched, detail: describeMatch(label, outcome) };
}

/** Parse Server checks a version's ACL only when it matches; "visible" = matches and readable. */
function visibility(
  id: 'acl-original' | 'acl-current',
  label: string,
  json: ParseJSON | null,
  outcome: MatchOutcome,
  input: CheckedInput,
): { step: ExplainStep; visible: boolean } {
  if (!json) return { step: { id, ok: false, detail: NO_ORIGINAL }, visible: false };
  if (!('matched' in outcome) || !outcome.matched) {
    return { step: { id, ok: false, detail: `not checked: the ${label} does not match, so Parse Server does not look at its ACL` }, visible: false };
  }
  const access = readAccessOf(json, input);
  return { step: { id, ok: access.readable, detail: describeAccess(label, json, access, input) }, visible: access.readable };
}

function eventType(originalVisible: boolean, currentVisible: boolean, isCreate: boolean): ExplainEventType | null {
  if (originalVisible && currentVisible) return 'update';
  if (originalVisible) return 'leave';
  if (currentVisible) return isCreate ? 'create' : 'enter';
  return null;
}

const yesNo = (visible: boolean): string => (visible ? 'visible (matches and readable)' : 'not visible');

function explainSave(input: CheckedInput, current: ParseJSON): Explanation {
  const steps: ExplainStep[] = [classStep(input)];
  if (!steps[0].ok) return stop(steps);
  const original = input.original && eventJSON(input.original, input.className);
  const object = eventJSON(current, input.className);

  const originalMatch: MatchOutcome = original ? matchVersion(original, input.where) : { matched: false, reasons: [] };
  steps.push(original ? matchStep('match-original', 'original', originalMatch) : { id: 'match-original', ok: false, detail: NO_ORIGINAL });
  if ('threw' in originalMatch) return stop(steps);
  const currentMatch = matchVersion(object, input.where);
  steps.push(matchStep('match-current', 'saved object', currentMatch));
  if ('threw' in currentMatch) return stop(steps);

  const before = visibility('acl-original', 'original', original, originalMatch, input);
  const after = visibility('acl-current', 'saved object', object, currentMatch, input);
  steps.push(before.step, after.step);
  const type = eventType(before.visible, after.visible, !original);
  if (!type) {
    const detail = original
      ? 'neither the original nor the saved object is visible to this subscriber, so Parse Server sends nothing'
      : 'the new object is not visible to this subscriber, so Parse Server sends nothing';
    steps.push({ id: 'event-type', ok: false, detail });
    return stop(steps);
  }
  const decided = original ? `original ${yesNo(before.visible)}, saved object ${yesNo(after.visible)} → ${type}` : `the new object is visible → create`;
  steps.push({ id: 'event-type', ok: true, detail: decided });

  const watch = watchStep(type, input.watch, object, original);
  steps.push(watch);
  if (!watch.ok) return stop(steps);

  // An ACL change must not leak a state the subscriber cannot read (Parse Server 9.x's leave/enter rules).
  let sentObject = object;
  let sentOriginal = original;
  const notes: string[] = [];
  const matched = (outcome: MatchOutcome): boolean => 'matched' in outcome && outcome.matched;
  if (type === 'leave' && original) {
    const currentReadable = matched(currentMatch) ? false : readAccessOf(object, input).readable;
    if (!currentReadable) {
      sentObject = original;
      notes.push('the subscriber cannot read the saved object, so `object` is its last readable state (the original)');
    }
  } else if (type === 'enter' && original) {
    const originalReadable = matched(originalMatch) ? false : readAccessOf(original, input).readable;
    if (!originalReadable) {
      sentOriginal = null;
      notes.push('the subscriber could not read the original, so no `original` is sent');
    }
  }
  const { step, payload } = payloadStep(input, sentObject, sentOriginal, notes);
  steps.push(step);
  return { event: type, steps, payload };
}

function explainDelete(input: CheckedInput, deleted: ParseJSON): Explanation {
  const steps: ExplainStep[] = [classStep(input)];
  if (!steps[0].ok) return stop(steps);
  const object = eventJSON(deleted, input.className);
  const match = matchVersion(object, input.where);
  steps.push(matchStep('match-original', 'deleted object', match));
  if (!('matched' in match) || !match.matched) return stop(steps);
  const { step, visible } = visibility('acl-original', 'deleted object', object, match, input);
  steps.push(step);
  if (!visible) return stop(steps);
  steps.push({ id: 'event-type', ok: true, detail: 'the deleted object is visible (matches and readable) → delete' });
  steps.push(watchStep('delete', input.watch, null, null));
  const shaped = payloadStep(input, object, null, []);
  steps.push(shaped.step);
  return { event: 'delete', steps, payload: shaped.payload };
}

/** Which event Parse Server 9.x sends this subscriber for this write, and why (see `EXPLAIN_STEP_IDS` for the steps). */
export function explainEvent(input: ExplainInput): Explanation {
  const checked = checkInput(input);
  if (typeof checked === 'string') return stop([{ id: 'input', ok: false, detail: checked }]);
  try {
    return checked.object ? explainSave(checked, checked.object) : explainDelete(checked, checked.original as ParseJSON);
  } catch (error) {
    // e.g. an object nested too deeply to clone: say so rather than crash the caller.
    return stop([{ id: 'input', ok: false, detail: `cannot explain this input: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}

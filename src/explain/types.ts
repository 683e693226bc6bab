// The public shapes of `explainEvent`: its input, its steps (ids in Parse Server 9.x's decision order) and its answer.

import type { ParseJSON } from '../livequery/protocol.js';

/**
 * Step ids in the order Parse Server decides. `input` appears only when the input cannot be explained; the others
 * appear in this order, and the list stops at the step that drops the event (so when `event` is null the last step
 * has `ok: false` and says why). Delete events use the `*-original` steps for the deleted object.
 */
export const EXPLAIN_STEP_IDS = [
  'input',
  'class',
  'match-original',
  'match-current',
  'acl-original',
  'acl-current',
  'event-type',
  'watch',
  'payload',
] as const;
export type ExplainStepId = (typeof EXPLAIN_STEP_IDS)[number];

export type ExplainEventType = 'create' | 'enter' | 'update' | 'leave' | 'delete';

export interface ExplainQuery {
  className: string;
  where?: object;
  keys?: string[];
  watch?: string[];
}

/**
 * Who subscribes. Parse Server tries the subscription's token, then the connection's: pass the user of whichever
 * applies (null or absent for no token, or a token that no longer resolves). One simplification: Parse Server shows a
 * `_User`'s email to that user only when it is the subscription's own token, not the connection's.
 */
export interface ExplainAuth {
  master?: boolean;
  userId?: string | null;
  /** Role names as in `role:<name>` ACL keys: `mods` or `role:mods`, including inherited roles. */
  roles?: string[];
}

export interface ExplainInput {
  query: ExplainQuery;
  /** The object as stored before the write (Parse REST JSON incl. ACL); null for a create. */
  original: object | null;
  /** The object after the write; null for a delete. */
  object: object | null;
  auth: ExplainAuth;
}

/** `ok`: the step's check held (the version matches, is readable, a watched field changed…). */
export interface ExplainStep {
  id: ExplainStepId;
  ok: boolean;
  detail: string;
}

export interface Explanation {
  event: ExplainEventType | null;
  steps: ExplainStep[];
  /** What the event frame carries (`object`, and `original` when sent), keys applied; null when no event. */
  payload: { object: ParseJSON; original?: ParseJSON } | null;
}

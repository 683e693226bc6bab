// The composer's draft (text fields as typed) and its conversion to a protocol query with the exact reason it fails.

import { fieldListProblem } from '../../src/composer/field-names.js';
import { whereShapeProblem } from '../../src/composer/where-shape.js';
import { exceedsDepth, stringifyJSON } from '../../src/json-limits.js';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { normalizeQuery } from '../../src/livequery/query.js';

export interface QueryDraft {
  className: string;
  /** The where as JSON text: the source of truth that the builder edits too. */
  where: string;
  keys: string;
  watch: string;
  sessionToken: string;
}

export const EMPTY_DRAFT: QueryDraft = { className: '', where: '{}', keys: '', watch: '', sessionToken: '' };

export function draftFromQuery(query: QueryJSON, sessionToken = ''): QueryDraft {
  return {
    className: query.className,
    // A where from a page may nest too deep for JSON.stringify: then on one line (and refused when sent, with why).
    where: exceedsDepth(query.where) ? (stringifyJSON(query.where) ?? '{}') : JSON.stringify(query.where, null, 2),
    keys: query.keys?.join(', ') ?? '',
    watch: query.watch?.join(', ') ?? '',
    sessionToken,
  };
}

/**
 * Only a where that cannot be sent at all is refused here; what LiveQuery makes of one (e.g. an operator it never
 * matches) does not block: the linter and the builder's check (src/composer/where-check.ts) explain, and the user
 * may send it to see the server's answer.
 */
export type DraftResult =
  | { ok: true; query: QueryJSON }
  | { ok: false; error: string; field: 'className' | 'where' | 'keys' | 'watch' };

export function parseDraft(draft: QueryDraft): DraftResult {
  if (!draft.className.trim()) return { ok: false, field: 'className', error: 'A class name is needed' };
  let where: unknown = {};
  if (draft.where.trim()) {
    try {
      where = JSON.parse(draft.where);
    } catch (error) {
      return { ok: false, field: 'where', error: `"where" is not valid JSON: ${(error as Error).message}` };
    }
  }
  const problem = whereShapeProblem(where);
  if (problem) return { ok: false, field: 'where', error: `"where": ${problem}` };
  for (const field of ['keys', 'watch'] as const) {
    const listProblem = fieldListProblem(field, draft[field]);
    if (listProblem) return { ok: false, field, error: listProblem };
  }
  try {
    const query = normalizeQuery({ className: draft.className.trim(), where: where as Record<string, unknown>, keys: draft.keys, watch: draft.watch });
    return { ok: true, query };
  } catch (error) {
    const message = (error as Error).message;
    return { ok: false, field: message.includes('watch') ? 'watch' : message.includes('keys') ? 'keys' : 'className', error: message };
  }
}

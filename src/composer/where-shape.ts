// Whether a `where` can be sent at all: a JSON object, nested no deeper than the limit. What it means to LiveQuery is
// where-check.ts's job; this small part is all the composer needs before it sends.

import { exceedsDepth, MAX_JSON_DEPTH } from '../json-limits.js';
import { isPlainObject } from '../livequery/protocol.js';

/** Reading and checking a `where` recurse through its groups: one from a page may nest thousands of levels. */
export const WHERE_TOO_DEEP = `where nests deeper than ${MAX_JSON_DEPTH} levels`;

/** Why this `where` cannot be sent at all, or null when it is an object within the depth limit. */
export function whereShapeProblem(where: unknown): string | null {
  if (!isPlainObject(where)) return 'where must be a JSON object';
  return exceedsDepth(where) ? WHERE_TOO_DEEP : null;
}

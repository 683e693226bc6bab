// Applies Parse's `{__op: …}` field updates (Increment, Add, AddUnique, Remove, Delete) to a field's current value.

import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, InternalError, ParseError } from './errors.js';

type Bag = Record<string, unknown>;

/** Marks a field that the write removes. */
export const UNSET: unique symbol = Symbol('unset');
export type FieldValue = unknown | typeof UNSET;

/** Ops whose result the server computes, so REST echoes the result back to the client. */
export const COMPUTED_OPS: ReadonlySet<string> = new Set(['Increment', 'Add', 'AddUnique', 'Remove']);

/**
 * The new value of a field after `op`. On create Parse Server rejects a malformed op with a 107;
 * on update the malformed op reaches the database and fails as an internal error.
 */
export function applyOp(current: unknown, op: Bag, isCreate: boolean): FieldValue {
  const malformed = (): Error =>
    isCreate ? new ParseError(ErrorCode.INVALID_JSON, 'objects to add must be an array') : new InternalError();
  const base = Array.isArray(current) ? current : [];
  switch (op.__op) {
    case 'Delete':
      return UNSET;
    case 'Increment':
      if (typeof op.amount !== 'number') throw malformed();
      return (typeof current === 'number' ? current : 0) + op.amount;
    case 'Add':
      if (!Array.isArray(op.objects)) throw malformed();
      return [...base, ...op.objects];
    case 'AddUnique': {
      if (!Array.isArray(op.objects)) throw malformed();
      const out = [...base];
      for (const item of op.objects) if (!out.some((existing) => isDeepStrictEqual(existing, item))) out.push(item);
      return out;
    }
    case 'Remove':
      if (!Array.isArray(op.objects)) throw malformed();
      return base.filter((existing) => !(op.objects as unknown[]).some((item) => isDeepStrictEqual(existing, item)));
    default:
      throw new InternalError();
  }
}

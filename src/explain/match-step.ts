// The matcher steps: does one version of the object match the subscription's `where`, and if not, which constraints fail.

import type { ParseJSON } from '../livequery/protocol.js';
import { matchesQuery } from '../livequery-rules/matcher.js';
import { sentenceList, show } from './describe.js';

/** Operators the LiveQuery matcher evaluates; any other `$…` key inside a field's constraint never matches. */
const MATCHED_OPERATORS = new Set([
  '$lt', '$lte', '$gt', '$gte', '$eq', '$ne', '$in', '$nin', '$all', '$exists', '$regex', '$options',
  '$nearSphere', '$maxDistance', '$within', '$containedBy', '$geoWithin', '$geoIntersects',
]);

const COMPARISONS = ['$lt', '$lte', '$gt', '$gte'];

/** `reasons`: why it does not match, or, when it matches, quirks that made it match. */
export type MatchOutcome = { matched: boolean; reasons: string[] } | { threw: string };

/** Parse Server matches a structured clone (the matcher decodes dates in place). */
function matches(object: ParseJSON, where: ParseJSON): boolean {
  return matchesQuery(structuredClone(object), where);
}

function fieldValue(object: ParseJSON, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as ParseJSON)[part];
  }
  return value;
}

/** Why one top-level constraint fails, in words, naming the LiveQuery quirk when one is the cause. */
function whyFails(object: ParseJSON, field: string, constraint: unknown): string {
  if (field === '$relatedTo') return '$relatedTo never matches in LiveQuery';
  if (field === '$or' || field === '$and' || field === '$nor') return `${field} ${show(constraint)} does not hold`;
  const value = fieldValue(object, field);
  if (constraint === null) return `${field}: null never matches in LiveQuery (use {"$exists": false})`;
  if (typeof constraint === 'object' && !Array.isArray(constraint)) {
    const unsupported = Object.keys(constraint).filter((key) => key.startsWith('$') && !MATCHED_OPERATORS.has(key));
    if (unsupported.length > 0) return `${field} uses ${sentenceList(unsupported)}, which the LiveQuery matcher never matches`;
  }
  if (Array.isArray(constraint)) return `${field}: an array constraint never matches by plain equality in LiveQuery (use $eq or $all)`;
  return `${field} ${show(constraint)} does not hold: ${field} is ${show(value)}`;
}

/** A comparison on a missing field holds in LiveQuery (`undefined >= 5` is false, so `$lt: 5` does not fail). */
function quirksThatMatched(object: ParseJSON, where: ParseJSON): string[] {
  const notes: string[] = [];
  for (const [field, constraint] of Object.entries(where)) {
    if (field.startsWith('$') || typeof constraint !== 'object' || constraint === null) continue;
    const used = Object.keys(constraint).filter((key) => COMPARISONS.includes(key));
    if (used.length > 0 && fieldValue(object, field) === undefined) {
      notes.push(`${field} is missing, and a missing field satisfies ${sentenceList(used)} in LiveQuery`);
    }
  }
  return notes;
}

export function matchVersion(object: ParseJSON, where: ParseJSON): MatchOutcome {
  try {
    if (matches(object, where)) return { matched: true, reasons: quirksThatMatched(object, where) };
  } catch (error) {
    return { threw: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  const reasons: string[] = [];
  for (const field of Object.keys(where)) {
    let fails: boolean;
    try {
      fails = !matches(object, { [field]: where[field] });
    } catch {
      fails = true;
    }
    if (fails) reasons.push(whyFails(object, field, where[field]));
  }
  return { matched: false, reasons };
}

export function describeMatch(label: string, outcome: MatchOutcome): string {
  if ('threw' in outcome) {
    return `the matcher threw on the ${label} (${outcome.threw}): Parse Server logs it and skips this subscription for this write`;
  }
  if (outcome.matched) {
    const quirks = outcome.reasons.length > 0 ? ` (${outcome.reasons.join('; ')})` : '';
    return `the ${label} matches the query${quirks}`;
  }
  const why = outcome.reasons.length > 0 ? `: ${outcome.reasons.join('; ')}` : '';
  return `the ${label} does not match the query${why}`;
}

// Lints `keys` and `watch`: lists Parse Server's request schema refuses, and field names that can never be in a
// payload (keys) or never change (watch).

import { FIELD_NAME, FIELD_NAME_RULE, fieldExists, finding, knownFrom, show } from './describe.js';
import type { KnownFields, LintFinding } from './types.js';

type ListName = 'keys' | 'watch';

/** Why Parse Server's request schema refuses this list (code 1), or null: an array of at least one unique string. */
function schemaProblem(list: unknown): string | null {
  if (!Array.isArray(list)) return `is ${show(list)}, not an array ("Invalid type")`;
  if (list.length === 0) return 'is empty ("Array is too short (0), minimum 1")';
  const notText = list.findIndex((item) => typeof item !== 'string');
  if (notText >= 0) return `has ${show(list[notText])} at [${notText}], not a field name ("Invalid type")`;
  const duplicate = list.findIndex((item, i) => list.indexOf(item) !== i);
  if (duplicate >= 0) return `names ${show(list[duplicate])} twice ("Array items are not unique")`;
  return null;
}

export function lintLists(query: { className: string; keys?: unknown; watch?: unknown }, known: KnownFields | undefined): LintFinding[] {
  const out: LintFinding[] = [];
  const lists: Partial<Record<ListName, string[]>> = {};
  for (const name of ['keys', 'watch'] as const) {
    const list = query[name];
    if (list === undefined) continue;
    const problem = schemaProblem(list);
    if (problem) {
      const fix = Array.isArray(list) && list.length === 0 ? `Leave "${name}" out instead of sending an empty list` : `Send "${name}" as a list of distinct field names, or leave it out`;
      out.push(finding('list-refused', 'refused', `"${name}" ${problem}: Parse Server refuses the subscribe (code 1)`, fix, name));
      continue;
    }
    lists[name] = list as string[];
  }
  if (lists.keys) lintKeys(out, query.className, lists.keys, known);
  if (lists.watch) lintWatch(out, query.className, lists.watch, lists.keys, known);
  return out;
}

function lintKeys(out: LintFinding[], className: string, keys: string[], known: KnownFields | undefined): void {
  keys.forEach((key, i) => {
    const path = `keys[${i}]`;
    if (!key.split('.').every((part) => FIELD_NAME.test(part))) {
      out.push(finding('invalid-field-name', 'warning', `keys names "${key}", which is not a field name (${FIELD_NAME_RULE}): events never carry it`, 'Check the spelling against the class\'s fields', path));
    } else if (key.includes('.')) {
      out.push(finding('keys-unknown-field', 'warning', `keys names "${key}": LiveQuery keeps top-level fields only, so events never carry it`, `Use the top-level field "${key.split('.')[0]}"`, path));
    } else if (known && fieldExists(known, key) === false) {
      out.push(finding('keys-unknown-field', 'warning', `keys names "${key}", which ${className} does not have (per ${knownFrom(known, className)}): events carry it only once a write adds it`, 'Check the spelling against the class\'s fields', path));
    }
  });
}

function lintWatch(out: LintFinding[], className: string, watch: string[], keys: string[] | undefined, known: KnownFields | undefined): void {
  const impossible: LintFinding[] = [];
  watch.forEach((field, i) => {
    const path = `watch[${i}]`;
    if (!field.split('.').every((part) => FIELD_NAME.test(part))) {
      impossible.push(finding('invalid-field-name', 'never', `watch names "${field}", which is not a field name (${FIELD_NAME_RULE}): it never changes`, 'Check the spelling against the class\'s fields', path));
    } else if (field.includes('.')) {
      impossible.push(finding('watch-nested-field', 'never', `watch names "${field}": LiveQuery compares top-level fields only (object.get("${field}") is always undefined), so it never changes`, `Watch the top-level field "${field.split('.')[0]}"`, path));
    } else if (field === 'objectId') {
      impossible.push(finding('watch-never-changes', 'never', 'watch names "objectId", which Parse Server never sees change (it is not an attribute of the saved object)', 'Watch the fields whose changes you want, or leave watch out', path));
    } else {
      if (known && fieldExists(known, field) === false) {
        out.push(finding('watch-unknown-field', 'warning', `watch names "${field}", which ${className} does not have (per ${knownFrom(known, className)}): it stays unset, so it fires only once a write adds it`, 'Check the spelling against the class\'s fields', path));
      }
      if (keys && !keys.includes(field)) {
        out.push(finding('watch-not-in-keys', 'warning', `watch names "${field}" but keys does not: an event fires when ${field} changes, yet its payload leaves ${field} out`, `Add "${field}" to keys`, path));
      }
    }
  });
  // A watch list is "never" only when none of its fields can change; otherwise the impossible ones are dead weight.
  const allImpossible = impossible.length === watch.length;
  for (const found of impossible) {
    out.push(
      allImpossible
        ? { ...found, message: `${found.message}: no create or update event can ever arrive (enter, leave and delete still do)` }
        : { ...found, severity: 'warning', message: `${found.message}: only the other watched fields fire` },
    );
  }
}

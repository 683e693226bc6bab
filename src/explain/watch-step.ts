// The watch step: for a create or update with `watch`, Parse Server sends nothing unless a watched field changed.

import type { ParseJSON } from '../livequery/protocol.js';
import { watchedFieldChanged } from '../livequery-rules/watch.js';
import { list, sentenceList, show } from './describe.js';
import type { ExplainEventType, ExplainStep } from './types.js';

function holdsReference(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as ParseJSON).__type;
  if (type === 'Pointer' || type === 'Object' || type === 'Relation') return true;
  return Object.values(value).some(holdsReference);
}

export function watchStep(type: ExplainEventType, watch: string[] | undefined, current: ParseJSON | null, original: ParseJSON | null): ExplainStep {
  if (!watch) return { id: 'watch', ok: true, detail: `no watch: every ${type} is sent` };
  if (type !== 'create' && type !== 'update') {
    return { id: 'watch', ok: true, detail: `watch ${list(watch)} applies to create and update only, not to ${type}` };
  }
  const changed = watch.filter((field) => watchedFieldChanged([field], current ?? {}, original));
  if (changed.length > 0) {
    const parts = changed.map((field) => {
      if (holdsReference(current?.[field])) return `${field} (a pointer, or an object holding one, always counts as changed)`;
      return type === 'create' ? `${field} (${show(current?.[field])})` : `${field} (${show(original?.[field])} → ${show(current?.[field])})`;
    });
    return { id: 'watch', ok: true, detail: `watched ${sentenceList(parts)} changed` };
  }
  const notes: string[] = [];
  if (watch.includes('objectId')) notes.push('objectId is not an attribute and never counts');
  if (watch.some((field) => field.includes('.'))) notes.push('dotted names never count');
  if (type === 'create') notes.push('on a create, only watched fields present on the new object count');
  const extra = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return { id: 'watch', ok: false, detail: `none of the watched fields ${list(watch)} changed, so Parse Server sends no ${type}${extra}` };
}

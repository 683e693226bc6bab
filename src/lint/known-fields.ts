// What is known of a class's fields: from its `/schemas/<class>` answer, or from the objects the panel recorded.

import { isPlainObject } from '../livequery/protocol.js';
import type { FieldType, KnownFields } from './types.js';

const TYPES: ReadonlySet<string> = new Set([
  'String', 'Number', 'Boolean', 'Date', 'Object', 'Array', 'Pointer', 'Relation', 'File', 'GeoPoint', 'Polygon', 'Bytes', 'ACL',
]);

/** The fields of a `/schemas/<class>` answer; null when it is not a schema. */
export function fieldsFromSchema(schema: unknown): KnownFields | null {
  if (!isPlainObject(schema) || !isPlainObject(schema.fields)) return null;
  const types: Record<string, FieldType | undefined> = {};
  for (const [name, spec] of Object.entries(schema.fields)) {
    const type = isPlainObject(spec) && typeof spec.type === 'string' && TYPES.has(spec.type) ? (spec.type as FieldType) : undefined;
    Object.defineProperty(types, name, { value: type, enumerable: true });
  }
  return { source: 'schema', types };
}

/** The type a REST JSON value shows, when it shows one. */
function typeOf(value: unknown): FieldType | undefined {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'Number';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'Array';
  if (!isPlainObject(value)) return undefined;
  if (typeof value.__type === 'string') return TYPES.has(value.__type) ? (value.__type as FieldType) : undefined;
  return 'Object';
}

/** The fields seen in recorded objects of the class (the first value that shows a type gives it). */
export function fieldsFromRecords(objects: readonly unknown[]): KnownFields {
  const types: Record<string, FieldType | undefined> = {};
  let count = 0;
  for (const object of objects) {
    if (!isPlainObject(object)) continue;
    count++;
    for (const [name, value] of Object.entries(object)) {
      if (name === 'className' || name === '__type') continue;
      if (types[name] === undefined) Object.defineProperty(types, name, { value: typeOf(value), enumerable: true, writable: true });
    }
  }
  return { source: 'records', types, objects: count };
}

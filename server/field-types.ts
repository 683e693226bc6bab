// Field names and schema types: which names a client may write, what type a written value has, and mismatch errors.

import { isPlainObject } from '../src/livequery/protocol.js';
import { ErrorCode, ParseError } from './errors.js';

type Bag = Record<string, unknown>;

const FIELD_NAME = /^[A-Za-z][0-9A-Za-z_]*$/;

export function isValidFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/** Class names a client may create (system classes start with `_` and already exist). */
export function isValidClassName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name);
}

/** An `{__op: …}` update operation, or undefined when the value is plain data. */
export function opOf(value: unknown): string | undefined {
  return isPlainObject(value) && typeof value.__op === 'string' ? value.__op : undefined;
}

/** The schema type a written value gives its field (`Pointer<Game>`, `Number`…); undefined for null and Delete. */
export function typeOfValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'Number';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'Array';
  if (!isPlainObject(value)) return undefined;
  switch (opOf(value)) {
    case 'Increment':
      return 'Number';
    case 'Add':
    case 'AddUnique':
    case 'Remove':
      return 'Array';
    case 'Delete':
      return undefined;
    case 'AddRelation':
    case 'RemoveRelation': {
      const first = Array.isArray(value.objects) ? (value.objects[0] as Bag | undefined) : undefined;
      return `Relation<${String(first?.className)}>`;
    }
    default:
      break;
  }
  switch (value.__type) {
    case 'Date':
      return 'Date';
    case 'Pointer':
      return `Pointer<${String(value.className)}>`;
    case 'Relation':
      return `Relation<${String(value.className)}>`;
    case 'File':
    case 'GeoPoint':
    case 'Polygon':
    case 'Bytes':
      return value.__type;
    default:
      return 'Object';
  }
}

export function schemaMismatch(className: string, field: string, expected: string, actual: string): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, `schema mismatch for ${className}.${field}; expected ${expected} but got ${actual}`);
}

// The JSON shapes of a stored object: as REST returns it, and as LiveQuery events carry it (Parse Server's key order).
//
// REST rows read back as `objectId, createdAt, updatedAt, fields…, ACL`. LiveQuery payloads are Parse SDK objects
// re-serialised: `createdAt, updatedAt, fields…, ACL, className, objectId` for a stored row, and for a row just
// created `fields in request order…, createdAt, updatedAt, className, objectId`. Relation fields of the class
// schema appear on every row, and keys that are not valid field names (internal `_…` columns) never appear.

import { isValidFieldName } from './field-types.js';
import type { Store, StoredObject } from './store.js';

type Bag = Record<string, unknown>;

/** Relation fields declared on a class, rendered as Parse does on every row. */
function relationFields(store: Store, className: string): Bag {
  const out: Bag = {};
  for (const [field, type] of store.fieldTypes(className)) {
    const target = /^Relation<(.*)>$/.exec(type)?.[1];
    if (target !== undefined) out[field] = { __type: 'Relation', className: target };
  }
  return out;
}

function visibleFields(store: Store, object: StoredObject): Bag {
  const out: Bag = {};
  for (const [key, value] of Object.entries(object.fields)) if (isValidFieldName(key)) out[key] = value;
  return { ...out, ...relationFields(store, object.className) };
}

/** The row as REST GET/find returns it (before per-caller filtering). */
export function restJSON(store: Store, object: StoredObject): Bag {
  const json: Bag = { objectId: object.objectId, createdAt: object.createdAt, updatedAt: object.updatedAt };
  Object.assign(json, visibleFields(store, object));
  if (object.acl) json.ACL = object.acl;
  return json;
}

/** The row as a LiveQuery `original`, `delete` or ACL-loss `leave` payload carries it. */
export function eventJSON(store: Store, object: StoredObject): Bag {
  const json: Bag = { createdAt: object.createdAt, updatedAt: object.updatedAt };
  Object.assign(json, visibleFields(store, object));
  if (object.acl) json.ACL = object.acl;
  json.className = object.className;
  json.objectId = object.objectId;
  return json;
}

/** Drops keys that are not valid field names, as Parse Server does before publishing (hashed passwords…). */
export function withoutHiddenKeys(json: Bag): Bag {
  const out: Bag = {};
  for (const [key, value] of Object.entries(json)) if (isValidFieldName(key)) out[key] = value;
  return out;
}

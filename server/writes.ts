// Creating, updating and deleting objects as Parse Server's REST write path does, then publishing the LiveQuery messages.

import { isDeepStrictEqual } from 'node:util';
import { canWrite, normalizeACL, validateACL } from './acl.js';
import type { Identity } from './auth.js';
import { ErrorCode, InternalError, ParseError } from './errors.js';
import { isPlainObject } from '../src/livequery/protocol.js';
import { isValidClassName, isValidFieldName, opOf, schemaMismatch, typeOfValue } from './field-types.js';
import { newObjectId } from './ids.js';
import { eventJSON, withoutHiddenKeys } from './object-json.js';
import { applyOp, COMPUTED_OPS, UNSET, type FieldValue } from './operations.js';
import { hashPassword } from './passwords.js';
import { createSession, revokeSessions } from './sessions.js';
import type { ACLMap, Store, StoredObject } from './store.js';

type Bag = Record<string, unknown>;

/** Receives what Parse Server's afterSave / afterDelete hooks hand to LiveQuery. */
export interface Publisher {
  save(current: Bag, original: Bag | null): void;
  remove(object: Bag): void;
}

export interface WriteContext {
  store: Store;
  identity: Identity;
  /** The caller's ACL identities (`*`, user id, roles). */
  groups: readonly string[];
  allowClientClassCreation: boolean;
  publish: Publisher;
}

interface RelationOp {
  field: string;
  add: boolean;
  ids: string[];
}

/** A validated write: the new value of each touched field, in request order. */
interface Plan {
  changes: Map<string, FieldValue>;
  acl?: ACLMap | null;
  computed: Set<string>;
  relationOps: RelationOp[];
  newTypes: Map<string, string>;
}

const KNOWN_OPS = new Set(['Increment', 'Add', 'AddUnique', 'Remove', 'Delete', 'AddRelation', 'RemoveRelation']);

/** Makes sure a class exists; only the master key (or allowClientClassCreation) may create one. */
export function ensureClass(ctx: WriteContext, className: string): void {
  if (ctx.store.hasClass(className)) return;
  if (!ctx.identity.master && !ctx.allowClientClassCreation) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, 'Permission denied');
  if (!isValidClassName(className)) {
    throw new ParseError(
      ErrorCode.INVALID_CLASS_NAME,
      `Invalid classname: ${className}, classnames can only have alphanumeric characters and _, and must start with an alpha character `,
    );
  }
  ctx.store.createClass(className);
}

function expectType(ctx: WriteContext, plan: Plan, className: string, field: string, actual: string): void {
  const expected = ctx.store.fieldType(className, field) ?? plan.newTypes.get(field);
  if (expected && expected !== actual) throw schemaMismatch(className, field, expected, actual);
  plan.newTypes.set(field, actual);
}

function currentValue(plan: Plan, base: StoredObject | undefined, field: string): unknown {
  if (plan.changes.has(field)) {
    const value = plan.changes.get(field);
    return value === UNSET ? undefined : value;
  }
  return base?.fields[field];
}

function setPath(target: Bag, path: string[], value: FieldValue): Bag {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (value === UNSET) delete target[head];
    else target[head] = value;
    return target;
  }
  const child = isPlainObject(target[head]) ? { ...(target[head] as Bag) } : {};
  target[head] = setPath(child, rest, value);
  return target;
}

function relationIds(className: string, field: string, objects: unknown): { target: string; ids: string[] } {
  const list = Array.isArray(objects) ? objects : [];
  let target = '';
  const ids: string[] = [];
  for (const item of list) {
    if (!isPlainObject(item) || item.__type !== 'Pointer' || typeof item.objectId !== 'string') {
      throw new ParseError(ErrorCode.INVALID_JSON, `${field} relation must contain pointers`);
    }
    target ||= String(item.className);
    if (item.className !== target) throw schemaMismatch(className, field, `Relation<${target}>`, `Relation<${String(item.className)}>`);
    ids.push(item.objectId);
  }
  return { target, ids };
}

/** Validates a request body against names, types and ops, and computes each touched field's new value. */
function planWrite(ctx: WriteContext, className: string, body: Bag, base: StoredObject | undefined): Plan {
  const plan: Plan = { changes: new Map(), computed: new Set(), relationOps: [], newTypes: new Map() };
  const isCreate = !base;
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'ACL') {
      plan.acl = raw === null ? null : validateACL(raw);
      plan.changes.set('ACL', raw);
      continue;
    }
    if (key === 'objectId') throw new ParseError(ErrorCode.INVALID_KEY_NAME, 'objectId is an invalid field name.');
    if (key === 'createdAt' || key === 'updatedAt') {
      const type = typeOfValue(raw);
      if (type === 'Date') continue; // the server sets these itself
      throw schemaMismatch(className, key, 'Date', type ?? 'null');
    }
    const dot = key.indexOf('.');
    const root = dot < 0 ? key : key.slice(0, dot);
    if (!isValidFieldName(root)) throw new ParseError(ErrorCode.INVALID_KEY_NAME, `Invalid field name: ${key}.`);
    if (dot >= 0) {
      expectType(ctx, plan, className, root, 'Object');
      const path = key.slice(dot + 1).split('.');
      const current = currentValue(plan, base, root);
      const leaf = path.reduce<unknown>((value, part) => (isPlainObject(value) ? value[part] : undefined), current);
      const value = opOf(raw) ? applyOp(leaf, raw as Bag, isCreate) : raw;
      plan.changes.set(root, setPath(isPlainObject(current) ? { ...current } : {}, path, value));
      continue;
    }
    const type = typeOfValue(raw);
    const op = opOf(raw);
    if (op !== undefined && !KNOWN_OPS.has(op)) throw new InternalError();
    if (op === 'AddRelation' || op === 'RemoveRelation') {
      const { target, ids } = relationIds(className, key, (raw as Bag).objects);
      expectType(ctx, plan, className, key, `Relation<${target}>`);
      plan.relationOps.push({ field: key, add: op === 'AddRelation', ids });
      plan.changes.set(key, { __type: 'Relation', className: target });
      continue;
    }
    if (type) expectType(ctx, plan, className, key, type);
    if (op) {
      plan.changes.set(key, applyOp(currentValue(plan, base, key), raw as Bag, isCreate));
      if (COMPUTED_OPS.has(op)) plan.computed.add(key);
      continue;
    }
    plan.changes.set(key, raw);
  }
  return plan;
}

/** `_User` rules: username and password on signup, email format, unique username/email, hashed password. */
async function applyUserRules(ctx: WriteContext, plan: Plan, base: StoredObject | undefined): Promise<void> {
  const others = ctx.store.list('_User').filter((user) => user.objectId !== base?.objectId);
  const username = plan.changes.get('username');
  if (typeof username === 'string' && others.some((u) => String(u.fields.username).toLowerCase() === username.toLowerCase())) {
    throw new ParseError(ErrorCode.USERNAME_TAKEN, 'Account already exists for this username.');
  }
  const email = plan.changes.get('email');
  if (typeof email === 'string') {
    if (!/^.+@.+$/.test(email)) throw new ParseError(ErrorCode.INVALID_EMAIL_ADDRESS, 'Email address format is invalid.');
    if (others.some((u) => typeof u.fields.email === 'string' && u.fields.email.toLowerCase() === email.toLowerCase())) {
      throw new ParseError(ErrorCode.EMAIL_TAKEN, 'Account already exists for this email address.');
    }
  }
  if (plan.changes.has('password')) {
    const password = plan.changes.get('password');
    plan.changes.delete('password');
    if (typeof password === 'string') plan.changes.set('_hashed_password', await hashPassword(password));
  }
}

/** Checks that a signup carries a username and a password (Parse checks these before anything else). */
function checkSignupFields(body: Bag): void {
  if (typeof body.username !== 'string' || body.username === '') {
    throw new ParseError(ErrorCode.USERNAME_MISSING, 'bad or missing username');
  }
  if (typeof body.password !== 'string' || body.password === '') {
    throw new ParseError(ErrorCode.PASSWORD_MISSING, 'password is required');
  }
}

function applyRelationOps(ctx: WriteContext, className: string, objectId: string, plan: Plan): void {
  for (const op of plan.relationOps) {
    const set = ctx.store.relation(className, objectId, op.field);
    for (const id of op.ids) {
      if (op.add) set.add(id);
      else set.delete(id);
    }
  }
}

function recordTypes(ctx: WriteContext, className: string, plan: Plan): void {
  for (const [field, type] of plan.newTypes) {
    if (!ctx.store.fieldType(className, field)) ctx.store.setFieldType(className, field, type);
  }
}

/** Stored fields after a write: changed keys replaced in place, new ones appended, nulls and deletions removed. */
function nextFields(base: Bag, plan: Plan): Bag {
  const fields: Bag = { ...base };
  for (const [key, value] of plan.changes) {
    if (key === 'ACL') continue;
    if (value === UNSET || value === null || (isPlainObject(value) && value.__type === 'Relation')) delete fields[key];
    else fields[key] = value;
  }
  return fields;
}

/** The fields REST echoes back: results of server-computed ops that differ from what was stored before. */
function computedResponse(fields: Bag, plan: Plan, before: Bag): Bag {
  const out: Bag = {};
  for (const [key, value] of Object.entries(fields)) {
    if (plan.computed.has(key) && !isDeepStrictEqual(value, before[key])) out[key] = value;
  }
  return out;
}

function finalACL(plan: Plan, previous: ACLMap | undefined): ACLMap | undefined {
  if (plan.acl === undefined) return previous;
  return plan.acl === null ? undefined : normalizeACL(plan.acl);
}

export interface CreateResult {
  object: StoredObject;
  response: Bag;
}

export async function createObject(ctx: WriteContext, className: string, body: Bag): Promise<CreateResult> {
  ensureClass(ctx, className);
  const isUser = className === '_User';
  if (isUser) checkSignupFields(body);
  const plan = planWrite(ctx, className, body, undefined);
  if (isUser) await applyUserRules(ctx, plan, undefined);
  const objectId = newObjectId();
  const now = new Date().toISOString();
  let acl = finalACL(plan, undefined);
  let eventACL: unknown = plan.changes.get('ACL');
  if (isUser) {
    // Parse Server makes every new user private to itself (enforcePrivateUsers) and always grants the user write.
    acl = { ...(acl ?? {}), [objectId]: { read: true, write: true } };
    eventACL = acl;
  }
  const object: StoredObject = { className, objectId, createdAt: now, updatedAt: now, fields: nextFields({}, plan), acl };
  ctx.store.put(object);
  recordTypes(ctx, className, plan);
  applyRelationOps(ctx, className, objectId, plan);

  const current: Bag = {};
  for (const [key, value] of plan.changes) if (value !== UNSET) current[key] = key === 'ACL' ? eventACL : value;
  if (isUser) current.ACL = eventACL;
  Object.assign(current, { createdAt: now, updatedAt: now, className, objectId });
  ctx.publish.save(withoutHiddenKeys(current), null);

  const response = { ...computedResponse(object.fields, plan, {}), objectId, createdAt: now };
  return { object, response };
}

/** Finds an object the caller may write, or fails with Parse's "not found" error. */
function writableObject(ctx: WriteContext, className: string, objectId: string, message: string): StoredObject {
  if (!ctx.store.hasClass(className) && !ctx.identity.master) throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, 'Permission denied');
  const object = ctx.store.get(className, objectId);
  if (!object || (!ctx.identity.master && !canWrite(object.acl, ctx.groups))) {
    throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, message);
  }
  return object;
}

export async function updateObject(ctx: WriteContext, className: string, objectId: string, body: Bag): Promise<Bag> {
  if (className === '_User' && !ctx.identity.master && !ctx.identity.user) {
    throw new ParseError(ErrorCode.SESSION_MISSING, `Cannot modify user ${objectId}.`);
  }
  const base = writableObject(ctx, className, objectId, 'Object not found.');
  const plan = planWrite(ctx, className, body, base);
  const passwordChanged = className === '_User' && plan.changes.has('password');
  if (className === '_User') await applyUserRules(ctx, plan, base);
  const now = new Date().toISOString();
  const original = eventJSON(ctx.store, base);
  const acl = finalACL(plan, base.acl);
  const object: StoredObject = { ...base, updatedAt: now, fields: nextFields(base.fields, plan), acl };
  ctx.store.put(object);
  recordTypes(ctx, className, plan);
  applyRelationOps(ctx, className, objectId, plan);

  const current: Bag = { ...original };
  delete current.className;
  delete current.objectId;
  current.updatedAt = now;
  for (const [key, value] of plan.changes) {
    if (value === UNSET) delete current[key];
    else current[key] = value;
  }
  Object.assign(current, { className, objectId });
  const response: Bag = { ...computedResponse(object.fields, plan, base.fields), updatedAt: now };
  if (passwordChanged) {
    // A new password revokes every session of the user; a user changing their own password gets a new one.
    revokeSessions(ctx.store, objectId);
    if (!ctx.identity.master) response.sessionToken = createSession(ctx.store, ctx.publish, objectId, ctx.identity.installationId);
  }
  ctx.publish.save(withoutHiddenKeys(current), withoutHiddenKeys(original));
  return response;
}

export function deleteObject(ctx: WriteContext, className: string, objectId: string): void {
  const base = writableObject(ctx, className, objectId, 'Object not found for delete.');
  const json = eventJSON(ctx.store, base);
  ctx.store.remove(className, objectId);
  if (className === '_User') revokeSessions(ctx.store, objectId);
  ctx.publish.remove(withoutHiddenKeys(json));
}

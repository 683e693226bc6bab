// Class-level permissions as a LiveQuery node applies them to an event (parse-server 9.x `_matchesCLP`): before the
// ACL, with the subscription's own token only (not the connection's) and without roles, for master-key clients too;
// pointer permissions (readUserFields, pointerFields) skip the event silently when no such field points to the user
// (a master-key client skips only that part).

import { isPlainObject } from '../../src/livequery/protocol.js';

export interface ClpCheck {
  /** The event passes the class-level permissions. */
  ok: boolean;
  detail: string;
}

type Permissions = Record<string, unknown>;

/** Parse Server checks `get` for a query on one objectId alone, else `find`. */
export function clpOperation(where: unknown): 'get' | 'find' {
  return isPlainObject(where) && Object.keys(where).length === 1 && typeof where.objectId === 'string' ? 'get' : 'find';
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Whether a field's value is a pointer (or a list holding one) to the user, as Parse Server compares it. */
function pointsTo(value: unknown, userId: string): boolean {
  if (Array.isArray(value)) return value.some((item) => pointsTo(item, userId));
  return isPlainObject(value) && value.objectId === userId;
}

export function checkClassPermissions(
  permissions: Permissions | undefined,
  input: { where: unknown; master: boolean; userId?: string; object: Record<string, unknown> },
): ClpCheck {
  const op = clpOperation(input.where);
  const perms = permissions?.[op];
  if (!permissions || !isPlainObject(perms)) return { ok: true, detail: `no class-level permission limits ${op}` };
  if (perms['*'] === true) return { ok: true, detail: `class-level permissions grant ${op} to everyone (*)` };
  if (input.userId && perms[input.userId] === true) return { ok: true, detail: `class-level permissions grant ${op} to user ${input.userId}` };
  const pointerFields = [...new Set([...stringList(perms.pointerFields), ...stringList(permissions.readUserFields)])];
  if (perms.requiresAuthentication === true && !input.userId) {
    return { ok: false, detail: `class-level permissions limit ${op} to logged-in users and the subscription has no token of its own: Parse Server answers each event with an error frame (code 101)` };
  }
  if (!pointerFields.length) {
    if (perms.requiresAuthentication === true) return { ok: true, detail: `class-level permissions grant ${op} to any logged-in user` };
    const roles = Object.keys(perms).filter((k) => k.startsWith('role:'));
    const roleNote = roles.length ? ` (${roles.join(', ')} do not count: LiveQuery checks them with the user alone, not its roles)` : '';
    return { ok: false, detail: `class-level permissions refuse ${op} to this subscriber${roleNote}: Parse Server answers each event with an error frame (code 119), not silence` };
  }
  // Only the pointer part is skipped for the master key (validatePermission above runs for every client).
  if (input.master) return { ok: true, detail: `class-level permissions limit ${op} to pointer fields [${pointerFields.join(', ')}]; the master key skips that check` };
  if (!input.userId) {
    return {
      ok: false,
      detail: `class-level permissions limit ${op} to pointer fields [${pointerFields.join(', ')}] and the subscription has no token of its own (LiveQuery checks them with the subscription's token only): every event is skipped silently`,
    };
  }
  const userId = input.userId;
  const matching = pointerFields.filter((field) => pointsTo(input.object[field], userId));
  if (matching.length) return { ok: true, detail: `class-level permissions limit ${op} to pointer fields [${pointerFields.join(', ')}]; ${matching[0]} points to user ${userId}` };
  return {
    ok: false,
    detail: `class-level permissions limit ${op} to pointer fields [${pointerFields.join(', ')}] and none points to user ${userId}: Parse Server skips the event silently`,
  };
}

// A user's roles as Parse Server computes them (Auth.js): the roles whose `users` hold the user, then, breadth-first,
// every role whose `roles` relation holds a role already found. Cycle-safe and bounded; a cycle is reported.

import type { RestClient, RestCredentials, RoleRecord } from '../../src/parse-rest/rest-client.js';

/** Role lookups one resolution makes at most (one per role found, plus the user's direct roles). */
export const MAX_ROLE_LOOKUPS = 100;

export interface ResolvedRole {
  objectId: string;
  name: string;
  /** The role it is inherited through (absent: the user is in its `users`). */
  via?: string;
}

export interface RoleTree {
  roles: ResolvedRole[];
  /** Role names that form a cycle through their `roles` relations, the first repeated at the end (a → b → a). */
  cycle?: string[];
  /** Roles found but not followed further because MAX_ROLE_LOOKUPS was reached. */
  notFollowed: number;
}

type RoleLookup = Pick<RestClient, 'rolesWithUser' | 'rolesContaining'>;

/** Follows the `roles` relations one role at a time, so that each inheritance edge is known (for `via` and cycles). */
export async function resolveRoles(rest: RoleLookup, creds: RestCredentials, userId: string): Promise<RoleTree> {
  const found = new Map<string, ResolvedRole>();
  /** Inheritance edges: a role → the roles that contain it (its users hold those too). */
  const parents = new Map<string, string[]>();
  const queue: string[] = [];
  for (const role of await rest.rolesWithUser(creds, userId)) {
    if (found.has(role.objectId)) continue;
    found.set(role.objectId, { objectId: role.objectId, name: role.name });
    queue.push(role.objectId);
  }
  let lookups = 1;
  while (queue.length && lookups < MAX_ROLE_LOOKUPS) {
    const child = queue.shift()!;
    lookups++;
    const containing: RoleRecord[] = await rest.rolesContaining(creds, [child]);
    parents.set(child, containing.map((r) => r.objectId));
    for (const role of containing) {
      if (found.has(role.objectId)) continue;
      found.set(role.objectId, { objectId: role.objectId, name: role.name, via: found.get(child)!.name });
      queue.push(role.objectId);
    }
  }
  const tree: RoleTree = { roles: [...found.values()], notFollowed: queue.length };
  const cycle = findCycle(parents);
  if (cycle) tree.cycle = cycle.map((id) => found.get(id)?.name ?? id);
  return tree;
}

/** One cycle in the inheritance edges, as ids with the first repeated at the end, or undefined. */
function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  // Iterative depth-first search: a long chain of roles does not overflow the stack.
  for (const start of edges.keys()) {
    if (done.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    path.push(start);
    onPath.add(start);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const targets = edges.get(top.id) ?? [];
      if (top.next < targets.length) {
        const target = targets[top.next++]!;
        if (onPath.has(target)) return [...path.slice(path.indexOf(target)), target];
        if (!done.has(target)) {
          stack.push({ id: target, next: 0 });
          path.push(target);
          onPath.add(target);
        }
      } else {
        stack.pop();
        path.pop();
        onPath.delete(top.id);
        done.add(top.id);
      }
    }
  }
  return undefined;
}

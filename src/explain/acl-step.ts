// The ACL steps: can this subscriber read one version of the object, in words with the ACL's grants and the reader's identity.

import type { ParseJSON } from '../livequery/protocol.js';
import { readAccess, readersOf, type ReadAccess } from '../livequery-rules/read-access.js';
import { list, sentenceList } from './describe.js';
import type { CheckedInput } from './input.js';

export function readAccessOf(object: ParseJSON, input: CheckedInput): ReadAccess {
  return readAccess(object.ACL, { master: input.master, userId: input.userId, roles: () => input.roles });
}

function grants(acl: ParseJSON): string {
  const readers = readersOf(acl).map((id) => (id.startsWith('role:') || id === '*' ? id : `user ${id}`));
  return readers.length === 0 ? 'ACL grants read to nobody (master key only)' : `ACL grants read to ${sentenceList(readers)}`;
}

export function describeAccess(label: string, object: ParseJSON, access: ReadAccess, input: CheckedInput): string {
  const acl = object.ACL as ParseJSON;
  switch (access.reason) {
    case 'no-acl':
      return `the ${label} has no ACL: everyone can read it`;
    case 'public':
      return `the ${label}'s ACL grants public read (*)`;
    case 'master':
      return `${grants(acl)}; this subscriber uses the master key, which reads everything`;
    case 'user':
      return `${grants(acl)}; this token is user ${input.userId} — readable`;
    case 'role':
      return `${grants(acl)}; this token is user ${input.userId} with ${access.role} — readable`;
    case 'no-user':
      return `${grants(acl)}; this subscriber has no user (no session token, or one that no longer resolves) — not readable`;
    case 'not-granted':
      return `${grants(acl)}; this token is user ${input.userId} with roles ${list(input.roles)} — not readable`;
  }
}

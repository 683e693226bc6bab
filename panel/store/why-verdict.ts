// One "Why no event?" verdict: explainEvent's steps with the user's name, a plain headline and what may make it wrong.

import type { ExplainAuth, ExplainEventType, ExplainStep, Explanation } from '../../src/explain/index.js';
import type { ClpCheck } from './why-clp.js';
import type { Identity } from './why-identity.js';
import type { WhyTarget } from './why-target.js';

/** explainEvent's steps, plus `clp` (class-level permissions) when the panel could read them. */
export type VerdictStep = Omit<ExplainStep, 'id'> & { id: ExplainStep['id'] | 'clp' };

export interface Verdict {
  event: ExplainEventType | null;
  /** One plain sentence: "No event: ACL grants read to role:mods; this token is alice (kL2p) with roles [] — not readable". */
  headline: string;
  steps: VerdictStep[];
  /** What may make this verdict wrong (unknown user, roles the token cannot read, a cut role tree…). */
  caveats: string[];
}

/** Who Parse Server decides for, as explainEvent takes it. */
export function authOf(identity: Identity): ExplainAuth {
  if (identity.state === 'master') return { master: true };
  if (identity.state === 'user') return { userId: identity.userId, roles: identity.roles?.roles.map((r) => r.name) ?? [] };
  return {};
}

function identityCaveats(identity: Identity, target: WhyTarget, secondToken: boolean): string[] {
  const caveats: string[] = [];
  if (identity.state === 'error') caveats.push(`whose the token is could not be asked (${identity.message}): this verdict assumes no user`);
  if (identity.state === 'user') {
    if (identity.rolesError) caveats.push(`the user's roles could not be read (${identity.rolesError}): this verdict assumes none`);
    else if (identity.rolesWith === 'token') {
      caveats.push("roles were read with the subscriber's token: roles whose ACL it cannot read are missing here (Parse Server reads them with the master key); add the master key to the server entry for the full list");
    }
    if (identity.roles?.notFollowed) caveats.push(`${identity.roles.notFollowed} role(s) were not followed further (more than the lookups this view makes): inherited roles may be missing`);
  }
  if (target.connectionToken && identity.state !== 'master' && !secondToken) {
    caveats.push("the connection has another session token: Parse Server also tries it for the ACL, so an object this token cannot read still arrives if that one can (its verdict is shown too)");
  }
  return caveats;
}

/** The step that decided "no event": for a save, the saved object's match or ACL before the original's. */
function decisiveStep(steps: readonly VerdictStep[]): VerdictStep | undefined {
  const failed = steps.filter((s) => !s.ok);
  const last = failed[failed.length - 1];
  if (!last || last.id !== 'event-type') return last;
  return failed.find((s) => s.id === 'match-current') ?? failed.find((s) => s.id === 'acl-current') ?? failed.find((s) => s.id !== 'event-type' && s.id !== 'match-original') ?? last;
}

/** "this token is user kL2p" → "this token is alice (kL2p)", when the user is known. */
function withUserName(detail: string, identity: Identity): string {
  if (identity.state !== 'user' || !identity.username) return detail;
  return detail.split(`this token is user ${identity.userId}`).join(`this token is ${identity.username} (${identity.userId})`);
}

/** `secondToken`: the verdict for the connection's token, which Parse Server tries after the subscription's. */
export function verdictOf(explanation: Explanation, identity: Identity, target: WhyTarget, extra: readonly string[] = [], secondToken = false): Verdict {
  const steps = explanation.steps.map((s) => ({ ...s, detail: withUserName(s.detail, identity) }));
  let headline: string;
  if (explanation.event) headline = `Event: ${explanation.event} — Parse Server sends it to this subscription`;
  else {
    const step = decisiveStep(steps);
    headline = `No event: ${step ? step.detail : 'nothing decided'}`;
  }
  return { event: explanation.event, headline, steps, caveats: [...extra, ...identityCaveats(identity, target, secondToken)] };
}

/**
 * Adds the class-level permission check where Parse Server makes it: after matching, before the ACL. A failing one
 * ends the list there (no event); the headline names it unless no version matched in the first place.
 */
export function withClassPermissions(verdict: Verdict, check: ClpCheck): Verdict {
  const steps = [...verdict.steps];
  let at = steps.findIndex((s) => s.id === 'acl-original' || s.id === 'acl-current' || s.id === 'event-type');
  if (at < 0) at = steps.length;
  const step: VerdictStep = { id: 'clp', ok: check.ok, detail: check.detail };
  if (check.ok) return { ...verdict, steps: [...steps.slice(0, at), step, ...steps.slice(at)] };
  const matched = steps.some((s) => (s.id === 'match-original' || s.id === 'match-current') && s.ok);
  const kept = [...steps.slice(0, at), step];
  return { ...verdict, event: null, steps: kept, headline: matched ? `No event: ${check.detail}` : verdict.headline };
}

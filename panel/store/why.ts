// "Why no event?" for one subscription and one object: reads the object over REST, resolves who the subscriber is
// (user and roles), and explains with `explainEvent` what Parse Server sends for it now, for its recorded event and for
// a what-if edit of its fields and ACL.

import { batch, computed, signal } from '@preact/signals';
import { explainEvent, type ExplainAuth, type ExplainEventType, type ExplainStep, type Explanation } from '../../src/explain/index.js';
import { checkServerFrame, isPlainObject, type EventOp, type ParseJSON } from '../../src/livequery/protocol.js';
import { isEventKind } from '../../src/timeline/describe.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { exceedsDepth } from '../../src/json-limits.js';
import { Redactor } from '../../src/timeline/redact.js';
import { RestError, type RestClient, type RestCredentials } from '../adapters/rest.js';
import { hiddenCauses } from './why-causes.js';
import { resolveRoles, type RoleTree } from './why-roles.js';
import type { WhyTarget } from './why-target.js';

/** Characters of an object's JSON the what-if editor takes: a bigger object is explained as fetched, not edited. */
export const MAX_EDITOR_CHARS = 200_000;
/** Records searched (newest first) for the object's recorded event. */
const MAX_RECORDS_SEARCHED = 100_000;

export type ObjectLookup =
  | { state: 'idle' }
  | { state: 'loading'; objectId: string }
  /** `with`: read with the server entry's master key, the subscriber's token, or neither (public). */
  | { state: 'found'; objectId: string; object: ParseJSON; with: 'master' | 'token' | 'public' }
  /** The subscriber cannot read it (or it does not exist: Parse answers the same, 101). That is the answer. */
  | { state: 'unreadable'; objectId: string; message: string }
  | { state: 'missing'; objectId: string; message: string }
  | { state: 'error'; objectId?: string; message: string };

export type Identity =
  | { state: 'loading' }
  | { state: 'master' }
  | { state: 'anonymous' }
  /** The token does not resolve (code 209): Parse Server treats the subscriber as having no user. */
  | { state: 'invalid'; message: string }
  | { state: 'user'; userId: string; username: string; roles?: RoleTree; rolesError?: string; rolesWith: 'master' | 'token' }
  /** Whose the token is could not be asked (unreachable, wrong keys…). */
  | { state: 'error'; message: string };

export interface RecordedEvent {
  op: EventOp;
  time: number;
  object: ParseJSON;
  original?: ParseJSON;
}

export interface Verdict {
  event: ExplainEventType | null;
  /** One plain sentence: "No event: ACL grants read to role:mods; this token is alice (kL2p) with roles [] — not readable". */
  headline: string;
  steps: ExplainStep[];
  /** What may make this verdict wrong (unknown user, roles the token cannot read, a cut role tree…). */
  caveats: string[];
}

export interface WhatIf {
  /** The verdict of the last text that parsed. */
  verdict: Verdict | null;
  /** Why the current text cannot be explained (then `verdict` is the last good one, shown greyed). */
  error: string | null;
}

export interface WhyDeps {
  rest: RestClient;
  /** The subscription's target, or undefined when it is gone. */
  targetOf(subscriptionKey: string): WhyTarget | undefined;
  /** The timeline's records, oldest first (searched for the object's latest event). */
  records(): readonly TimelineRecord[];
  /** Puts the view on screen (open) and takes it away (close). */
  show?(target: WhyTarget): void;
  hide?(): void;
}

const masker = new Redactor();

/** Objects ids are short words; anything else is a typo or a paste of something else. */
export function checkObjectId(text: string): string | { problem: string } {
  const id = text.trim();
  if (!id) return { problem: 'Give the objectId of the object that did not arrive' };
  if (id.length > 128 || /[\s/?#]/.test(id)) return { problem: `"${id.slice(0, 40)}${id.length > 40 ? '…' : ''}" is not an objectId (no spaces or slashes, at most 128 characters)` };
  return id;
}

/** The event frame of a record, parsed, when it is an event of that subscription for that object. */
function recordedEventOf(record: TimelineRecord): RecordedEvent | undefined {
  if (!isEventKind(record.kind)) return undefined;
  try {
    const checked = checkServerFrame(JSON.parse(record.raw ?? ''));
    if (!checked.ok || !('object' in checked.frame) || checked.frame.op !== record.kind) return undefined;
    const { object, original } = checked.frame as { object: ParseJSON; original?: ParseJSON };
    return { op: record.kind, time: record.time, object, ...(original ? { original } : {}) };
  } catch {
    return undefined;
  }
}

export function latestRecordedEvent(records: readonly TimelineRecord[], subscriptionKey: string, objectId: string): RecordedEvent | undefined {
  const stop = Math.max(0, records.length - MAX_RECORDS_SEARCHED);
  for (let i = records.length - 1; i >= stop; i--) {
    const record = records[i]!;
    if (record.subscriptionKey !== subscriptionKey || record.objectId !== objectId) continue;
    const event = recordedEventOf(record);
    if (event) return event;
  }
  return undefined;
}

function authOf(identity: Identity): ExplainAuth {
  if (identity.state === 'master') return { master: true };
  if (identity.state === 'user') return { userId: identity.userId, roles: identity.roles?.roles.map((r) => r.name) ?? [] };
  return {};
}

function identityCaveats(identity: Identity, target: WhyTarget, secondToken: boolean): string[] {
  const caveats: string[] = [];
  if (identity.state === 'loading') caveats.push('whose the token is is still being asked: this verdict assumes no user for now');
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
function decisiveStep(steps: readonly ExplainStep[]): ExplainStep | undefined {
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

/** The object as the explainer wants it: its class named (REST leaves it out). */
const withClass = (object: ParseJSON, className: string): ParseJSON => ({ className, ...object });

/** The masked, indented JSON of an object for the editor, or a reason it is too large to edit. */
export function editorText(object: ParseJSON): { text: string } | { tooLarge: number } {
  // Too deep to walk: the masker would turn it into one string, which is no object to edit.
  if (exceedsDepth(object)) return { tooLarge: Infinity };
  let text: string;
  try {
    text = JSON.stringify(masker.value(object), null, 2) ?? '';
  } catch {
    return { tooLarge: Infinity };
  }
  return text.length > MAX_EDITOR_CHARS ? { tooLarge: text.length } : { text };
}

/** Parses what-if text: empty means "none" (a create for the original, a delete for the object). */
function parseDraft(text: string, what: string): { ok: true; value: ParseJSON | null } | { ok: false; problem: string } {
  if (!text.trim()) return { ok: true, value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `The ${what} is not valid JSON: ${(error as Error).message}` };
  }
  if (value !== null && !isPlainObject(value)) return { ok: false, problem: `The ${what} must be a JSON object (or empty for none)` };
  return { ok: true, value };
}

function describeError(error: unknown): string {
  if (error instanceof RestError) {
    if (error.code === 209) return 'the session token is invalid or revoked (code 209)';
    if (error.status === 403) return `the server refused the keys (${error.message}): check the application id and keys of the server entry`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function createWhyStore({ rest, targetOf, records, show, hide }: WhyDeps) {
  const target = signal<WhyTarget | null>(null);
  const objectId = signal('');
  const lookup = signal<ObjectLookup>({ state: 'idle' });
  const identity = signal<Identity>({ state: 'loading' });
  /** Whose the connection's token is, when the subscription has its own, different one (Parse Server tries both). */
  const connectionIdentity = signal<Identity | null>(null);
  const recorded = signal<RecordedEvent | undefined>(undefined);
  /** The what-if editor's texts: the object after the write, and the original before it (empty: a create). */
  const objectDraft = signal('');
  const originalDraft = signal('');
  /** Set when the fetched object is too large for the editor (its JSON length). */
  const draftTooLarge = signal<number | null>(null);
  const whatIf = signal<WhatIf>({ verdict: null, error: null });
  /** Answers for a subscription opened before (identity) or an older lookup (object) are dropped. */
  let opened = 0;
  let looked = 0;

  /** Whose the token is and its roles are known (or known to be unknowable): verdicts wait until then. */
  const readyFor = (who: Identity) => who.state !== 'loading' && !(who.state === 'user' && !who.roles && !who.rolesError);
  const identityReady = computed(() => readyFor(identity.value));

  const explainFor = (object: ParseJSON | null, original: ParseJSON | null, extra: string[] = []): Verdict | null =>
    identityReady.value ? explainWith(identity.value, object, original, extra) : null;

  function explainWith(who: Identity, object: ParseJSON | null, original: ParseJSON | null, extra: string[], secondToken = false): Verdict | null {
    const t = target.value;
    if (!t) return null;
    if (!t.query) {
      const detail = t.queryProblem ?? 'the subscription’s query is not known';
      return { event: null, headline: `Cannot explain: ${detail}`, steps: [{ id: 'input', ok: false, detail }], caveats: [] };
    }
    const className = t.className;
    const explanation = explainEvent({
      query: t.query,
      original: original && withClass(original, className),
      object: object && withClass(object, className),
      auth: authOf(who),
    });
    return verdictOf(explanation, who, t, extra, secondToken);
  }

  /** "If this object were saved now": Parse Server's afterSave with the stored object before and after. */
  const savedNow = computed<Verdict | null>(() => {
    const found = lookup.value;
    if (found.state !== 'found') return null;
    return explainFor(found.object, found.object);
  });

  /** "Saved now" for the connection's token, when Parse Server has a second token to try. */
  const savedNowByConnection = computed<Verdict | null>(() => {
    const who = connectionIdentity.value;
    const found = lookup.value;
    if (!who || !readyFor(who) || found.state !== 'found') return null;
    return explainWith(who, found.object, found.object, [], true);
  });

  /** When only the connection's token can read the object, Parse Server still sends the event: say so first. */
  const secondTokenDelivers = computed<string | null>(() => {
    const first = savedNow.value;
    const second = savedNowByConnection.value;
    if (!first || !second || first.event || !second.event) return null;
    const who = connectionIdentity.value;
    const name = who?.state === 'user' ? ` (${who.username || who.userId})` : '';
    return `Parse Server still sends ${second.event}: this subscription's token cannot read the object, but the connection's token${name} can, and it tries both`;
  });

  const recordedVerdict = computed<Verdict | null>(() => {
    const event = recorded.value;
    if (!event) return null;
    const keysNote = target.value?.query?.keys ? ["the frame carries only the subscription's keys: fields it left out count as missing here"] : [];
    if (event.op === 'delete') return explainFor(null, event.object, keysNote);
    return explainFor(event.object, event.op === 'create' ? null : event.original ?? null, keysNote);
  });

  /** What drops an event where no client can see it, for this subscription. */
  const causes = computed(() => (target.value ? hiddenCauses(target.value) : []));

  function recomputeWhatIf(): void {
    if (!objectDraft.peek().trim() && !originalDraft.peek().trim()) {
      whatIf.value = { verdict: null, error: null };
      return;
    }
    const object = parseDraft(objectDraft.peek(), 'object');
    const original = parseDraft(originalDraft.peek(), 'original');
    if (!object.ok || !original.ok) {
      whatIf.value = { verdict: whatIf.peek().verdict, error: !object.ok ? object.problem : (original as { problem: string }).problem };
      return;
    }
    const verdict = explainFor(object.value, original.value);
    whatIf.value = verdict ? { verdict, error: null } : { verdict: whatIf.peek().verdict, error: null };
  }

  function loadDrafts(object: ParseJSON | null): void {
    const shown = object ? editorText(object) : { text: '' };
    if ('tooLarge' in shown) {
      draftTooLarge.value = shown.tooLarge;
      objectDraft.value = '';
      originalDraft.value = '';
      whatIf.value = { verdict: null, error: null };
      return;
    }
    draftTooLarge.value = null;
    objectDraft.value = shown.text;
    originalDraft.value = shown.text;
    recomputeWhatIf();
  }

  const tokenCreds = (t: WhyTarget): RestCredentials => ({ ...t.rest, ...(t.token ? { sessionToken: t.token.value } : {}) });
  const lookupCreds = (t: WhyTarget): RestCredentials => (t.masterKey ? { ...t.rest, masterKey: t.masterKey } : tokenCreds(t));

  async function resolveIdentity(t: WhyTarget, token: string | undefined, current: number, set: (value: Identity) => void): Promise<void> {
    const settle = (value: Identity) => {
      if (current === opened) set(value);
    };
    if (t.connectionMaster) return settle({ state: 'master' });
    if (!token) return settle({ state: 'anonymous' });
    if (t.restProblem) return settle({ state: 'error', message: t.restProblem });
    let owner;
    try {
      owner = await rest.me({ ...t.rest, sessionToken: token });
    } catch (error) {
      if (error instanceof RestError && error.code === 209) {
        return settle({ state: 'invalid', message: 'this token is invalid or revoked (code 209): Parse Server treats the subscriber as having no user, so only public objects reach it' });
      }
      return settle({ state: 'error', message: describeError(error) });
    }
    const rolesWith = t.masterKey ? 'master' : 'token';
    const user: Identity = { state: 'user', userId: owner.objectId, username: owner.username, rolesWith };
    settle(user);
    try {
      settle({ ...user, roles: await resolveRoles(rest, lookupCreds(t), owner.objectId) });
    } catch (error) {
      settle({ ...user, rolesError: describeError(error) });
    }
  }

  async function fetchObject(t: WhyTarget, id: string, current: number): Promise<void> {
    const settle = (value: ObjectLookup) => {
      if (current !== looked) return;
      batch(() => {
        lookup.value = value;
        loadDrafts(value.state === 'found' ? value.object : null);
      });
    };
    if (t.restProblem) return settle({ state: 'error', objectId: id, message: t.restProblem });
    const readWith = t.masterKey ? 'master' : t.token ? 'token' : 'public';
    try {
      const object = await rest.getObject(lookupCreds(t), t.className, id);
      settle({ state: 'found', objectId: id, object, with: readWith });
    } catch (error) {
      if (error instanceof RestError && error.code === 101) {
        if (readWith === 'master') {
          return settle({ state: 'missing', objectId: id, message: `No ${t.className} has objectId ${id} (code 101), even read with the master key: check the id and the class` });
        }
        const who = readWith === 'token' ? 'This token cannot read' : 'Without a session token, this subscription cannot read';
        return settle({
          state: 'unreadable',
          objectId: id,
          message: `${who} ${t.className} ${id} (Parse answers "Object not found", code 101, for an object it may not read as for one that does not exist): either way Parse Server sends this subscription no event for it. Add the server's master key to its entry to see the object and which step fails.`,
        });
      }
      settle({ state: 'error', objectId: id, message: `Could not read ${t.className} ${id}: ${describeError(error)}` });
    }
  }

  return {
    target,
    objectId,
    lookup,
    identity,
    identityReady,
    connectionIdentity,
    savedNowByConnection,
    secondTokenDelivers,
    recorded,
    savedNow,
    recordedVerdict,
    objectDraft,
    originalDraft,
    draftTooLarge,
    whatIf,
    causes,
    /** Opens the view on a subscription (and looks the object up when one is given); false when it is gone. */
    open(subscriptionKey: string, pickedObjectId?: string): boolean {
      const t = targetOf(subscriptionKey);
      if (!t) return false;
      const current = ++opened;
      looked++;
      batch(() => {
        target.value = t;
        identity.value = { state: 'loading' };
        connectionIdentity.value = t.connectionToken && !t.connectionMaster ? { state: 'loading' } : null;
        lookup.value = { state: 'idle' };
        recorded.value = undefined;
        objectId.value = pickedObjectId ?? '';
        loadDrafts(null);
      });
      show?.(t);
      void resolveIdentity(t, t.token?.value, current, (value) => {
        identity.value = value;
        recomputeWhatIf();
      });
      if (t.connectionToken && !t.connectionMaster) {
        void resolveIdentity(t, t.connectionToken, current, (value) => (connectionIdentity.value = value));
      }
      if (pickedObjectId !== undefined) void look();
      return true;
    },
    close(): void {
      opened++;
      looked++;
      target.value = null;
      hide?.();
    },
    /** Reads the object in `objectId` over REST and finds its latest recorded event of the subscription. */
    look(): Promise<void> {
      return look();
    },
    setObjectId(text: string): void {
      objectId.value = text;
    },
    editObject(text: string): void {
      objectDraft.value = text;
      recomputeWhatIf();
    },
    editOriginal(text: string): void {
      originalDraft.value = text;
      recomputeWhatIf();
    },
  };

  async function look(): Promise<void> {
    const t = target.peek();
    if (!t) return;
    const checked = checkObjectId(objectId.peek());
    const mine = ++looked;
    if (typeof checked !== 'string') {
      lookup.value = { state: 'error', message: checked.problem };
      return;
    }
    batch(() => {
      lookup.value = { state: 'loading', objectId: checked };
      recorded.value = latestRecordedEvent(records(), t.subscriptionKey, checked);
    });
    await fetchObject(t, checked, mine);
  }
}

export type WhyStore = ReturnType<typeof createWhyStore>;

// "Why no event?" for one subscription and one object: reads the object over REST, resolves who the subscriber is
// (user and roles), and explains with `explainEvent` what Parse Server sends for it now, for its recorded event and for
// a what-if edit of its fields and ACL.

import { batch, computed, signal } from '@preact/signals';
import type { ParseJSON } from '../../src/livequery/protocol.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { RestClient } from '../../src/parse-rest/rest-client.js';
import { lazyModule } from '../lazy-module.js';
import { editorText, parseDraft } from './why-draft.js';
import { isIdentityReady, type Identity } from './why-identity.js';
import { latestRecordedEvent, type RecordedEvent } from './why-recorded.js';
import type { WhyTarget } from './why-target.js';
import type { Verdict } from './why-verdict.js';

export type ObjectLookup =
  | { state: 'idle' }
  | { state: 'loading'; objectId: string }
  /** `with`: read with the server entry's master key, the subscriber's token, or neither (public). */
  | { state: 'found'; objectId: string; object: ParseJSON; with: 'master' | 'token' | 'public' }
  /** The subscriber cannot read it (or it does not exist: Parse answers the same, 101). That is the answer. */
  | { state: 'unreadable'; objectId: string; message: string }
  | { state: 'missing'; objectId: string; message: string }
  | { state: 'error'; objectId?: string; message: string };

/** The class's class-level permissions, read with the master key (without it they cannot be read). */
export type ClassPermissions =
  | { state: 'unknown'; reason: string }
  | { state: 'loading' }
  | { state: 'loaded'; permissions: Record<string, unknown> | undefined }
  | { state: 'error'; message: string };

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
  /** Where the explainer comes from (tests give a failing one); by default its own chunk. */
  importExplainer?: () => Promise<Explainer>;
  /** Where the REST lookups (identity, object, class-level permissions) come from; by default their own chunk. */
  importLookups?: () => Promise<Lookups>;
}

type Explainer = typeof import('./why-explainer.js');
type Lookups = typeof import('./why-lookups.js');

/** Objects ids are short words; anything else is a typo or a paste of something else. */
export function checkObjectId(text: string): string | { problem: string } {
  const id = text.trim();
  if (!id) return { problem: 'Give the objectId of the object that did not arrive' };
  if (id.length > 128 || /[\s/?#]/.test(id)) return { problem: `"${id.slice(0, 40)}${id.length > 40 ? '…' : ''}" is not an objectId (no spaces or slashes, at most 128 characters)` };
  return id;
}

/** The object as the explainer wants it: its class named (REST leaves it out). */
const withClass = (object: ParseJSON, className: string): ParseJSON => ({ className, ...object });

export function createWhyStore({
  rest,
  targetOf,
  records,
  show,
  hide,
  importExplainer = () => import('./why-explainer.js'),
  importLookups = () => import('./why-lookups.js'),
}: WhyDeps) {
  // The explainer with Parse Server's rules, and the REST lookups, are chunks of their own, loaded when the view is
  // first opened.
  const explainer = lazyModule('the Why no event? explainer', importExplainer);
  const lookups = lazyModule('the Why no event? lookups', importLookups);
  const target = signal<WhyTarget | null>(null);
  const objectId = signal('');
  const lookup = signal<ObjectLookup>({ state: 'idle' });
  const identity = signal<Identity>({ state: 'loading' });
  /** Whose the connection's token is, when the subscription has its own, different one (Parse Server tries both). */
  const connectionIdentity = signal<Identity | null>(null);
  const recorded = signal<RecordedEvent | undefined>(undefined);
  const classPermissions = signal<ClassPermissions>({ state: 'unknown', reason: '' });
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
  const identityReady = computed(() => isIdentityReady(identity.value));

  const explainFor = (object: ParseJSON | null, original: ParseJSON | null, extra: string[] = []): Verdict | null =>
    identityReady.value ? explainWith(identity.value, object, original, extra) : null;

  /** A verdict with the class-level permissions applied, when they are known (`clp`: false for a recorded frame). */
  function explainWith(who: Identity, object: ParseJSON | null, original: ParseJSON | null, extra: string[], secondToken = false, clp = true): Verdict | null {
    const verdict = explainOnly(who, object, original, extra, secondToken);
    const permissions = classPermissions.value;
    const current = object ?? original;
    const t = target.value;
    if (clp && permissions.state === 'loading') return null;
    const loaded = explainer.get();
    if (!verdict || !loaded || !clp || !t?.query || !current || permissions.state !== 'loaded') return verdict;
    // LiveQuery checks them with the subscription's own token only, never the connection's.
    const own = identity.value;
    const userId = t.token?.origin === 'subscription' && own.state === 'user' ? own.userId : undefined;
    const check = loaded.checkClassPermissions(permissions.permissions, { where: t.query.where, master: who.state === 'master', userId, object: current });
    return loaded.withClassPermissions(verdict, check);
  }

  function explainOnly(who: Identity, object: ParseJSON | null, original: ParseJSON | null, extra: string[], secondToken: boolean): Verdict | null {
    const t = target.value;
    if (!t) return null;
    if (!t.query) {
      const detail = t.queryProblem ?? 'the subscription’s query is not known';
      return { event: null, headline: `Cannot explain: ${detail}`, steps: [{ id: 'input', ok: false, detail }], caveats: [] };
    }
    const loaded = explainer.get();
    if (!loaded) {
      const state = explainer.state.value;
      if (state.status !== 'failed') return null;
      return { event: null, headline: `Cannot explain: ${state.message}`, steps: [{ id: 'input', ok: false, detail: state.message }], caveats: [] };
    }
    const className = t.className;
    const explanation = loaded.explainEvent({
      query: t.query,
      original: original && withClass(original, className),
      object: object && withClass(object, className),
      auth: loaded.authOf(who),
    });
    return loaded.verdictOf(explanation, who, t, extra, secondToken);
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
    if (!who || !isIdentityReady(who) || found.state !== 'found') return null;
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
    const keys = target.value?.query?.keys;
    const keysNote = keys ? [`the frame carries only the subscription's keys [${keys.join(', ')}]: fields it left out count as missing here`] : [];
    if (!identityReady.value) return null;
    const original = event.op === 'delete' ? event.object : event.op === 'create' ? null : event.original ?? null;
    // Class-level permissions passed when it was sent; only the frame's own decision is re-explained.
    const verdict = explainWith(identity.value, event.op === 'delete' ? null : event.object, original, keysNote, false, false);
    if (!verdict || verdict.event === event.op) return verdict;
    // The frame is what was sent; explaining it now may differ: say which, and why it can.
    const because = keys
      ? `its frame carries only the keys [${keys.join(', ')}], so the query cannot be re-checked from it (see "saved now" for the stored object)`
      : 'the token, its roles or the ACL may have changed since, and an afterLiveQueryEvent trigger can change what is sent';
    return { ...verdict, headline: `Recorded: Parse Server sent ${event.op}. Explained from its frame now: ${verdict.event ?? 'no event'} — ${because}` };
  });

  /** What drops an event where no client can see it, for this subscription. */
  const causes = computed(() => {
    const loaded = explainer.get();
    return target.value && loaded ? loaded.hiddenCauses(target.value) : [];
  });

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

  async function loadClassPermissions(t: WhyTarget, current: number): Promise<void> {
    const { masterKey } = t;
    if (!masterKey || t.restProblem) {
      classPermissions.value = { state: 'unknown', reason: 'the server entry has no master key (reading /schemas needs it)' };
      return;
    }
    classPermissions.value = { state: 'loading' };
    const value = await lookups.load().then(
      ({ readClassPermissions }) => readClassPermissions(rest, { ...t, masterKey }),
      (error: Error): ClassPermissions => ({ state: 'error', message: error.message }),
    );
    if (current !== opened) return;
    classPermissions.value = value;
    recomputeWhatIf();
  }

  async function fetchObject(t: WhyTarget, id: string, current: number): Promise<void> {
    const value: ObjectLookup = t.restProblem
      ? { state: 'error', objectId: id, message: t.restProblem }
      : await lookups.load().then(
          ({ readObject }) => readObject(rest, t, id),
          (error: Error): ObjectLookup => ({ state: 'error', objectId: id, message: error.message }),
        );
    if (current !== looked) return;
    batch(() => {
      lookup.value = value;
      loadDrafts(value.state === 'found' ? value.object : null);
    });
  }

  /** Reports whose `token` is as it becomes known (the user, then its roles). */
  function resolveIdentity(t: WhyTarget, token: string | undefined, report: (identity: Identity) => void): void {
    void lookups.load().then(
      (loaded) => loaded.resolveIdentity(rest, t, token, report),
      (error: Error) => report({ state: 'error', message: error.message }),
    );
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
    classPermissions,
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
      void explainer.load().then(recomputeWhatIf, recomputeWhatIf);
      void loadClassPermissions(t, current);
      // Answers for a subscription opened before this one are dropped.
      resolveIdentity(t, t.token?.value, (value) => {
        if (current !== opened) return;
        identity.value = value;
        recomputeWhatIf();
      });
      if (t.connectionToken && !t.connectionMaster) {
        resolveIdentity(t, t.connectionToken, (value) => {
          if (current === opened) connectionIdentity.value = value;
        });
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

export type { Identity, RecordedEvent, Verdict };

// "Why no event?" for one subscription: give an objectId, see who the subscriber is, what Parse Server sends for the
// object now and for its recorded event, try edits in a what-if editor, and the causes a client cannot see.

import { useMemo } from 'preact/hooks';
import type { RoleTree } from '../store/why-roles.js';
import type { Identity, ObjectLookup } from '../store/why.js';
import { useWhy } from '../store/index.js';
import { formatClock } from './format.js';
import { maskJSON, withNote } from './masked-text.js';
import { Secret } from './Secret.js';
import { WhyChecklist } from './WhyNoEventChecklist.js';

/** Characters of the fetched object shown as JSON (the checklist uses all of it). */
const OBJECT_PREVIEW_CHARS = 20_000;

function roleList(tree: RoleTree): string {
  if (!tree.roles.length) return '[]';
  const names = tree.roles.slice(0, 20).map((r) => (r.via ? `${r.name} (through ${r.via})` : r.name));
  return `[${names.join(', ')}${tree.roles.length > 20 ? `, ${tree.roles.length - 20} more` : ''}]`;
}

function IdentityLine({ identity, token }: { identity: Identity; token?: { value: string; origin: 'subscription' | 'connection' } }) {
  const tokenText = token ? (
    <>
      {token.origin === 'subscription' ? "the subscription's token" : "the connection's token"} <Secret value={token.value} label="session token" />
    </>
  ) : null;
  switch (identity.state) {
    case 'loading':
      return <span class="muted">Asking whose {tokenText ?? 'the token'} is…</span>;
    case 'master':
      return <span>The connection uses the master key: Parse Server lets it read every object.</span>;
    case 'anonymous':
      return <span>No session token (neither the subscription nor its connection has one): only objects with public read arrive.</span>;
    case 'invalid':
      return (
        <span class="error-text">
          {tokenText}: {identity.message}
        </span>
      );
    case 'error':
      return (
        <span class="error-text">
          Whose {tokenText ?? 'the token'} is could not be asked: {identity.message}
        </span>
      );
    case 'user':
      return (
        <span>
          {tokenText} is <strong>{identity.username || '(no username)'}</strong> ({identity.userId}) with roles{' '}
          {identity.rolesError ? (
            <span class="error-text">unknown: {identity.rolesError}</span>
          ) : identity.roles ? (
            <span data-testid="why-roles">{roleList(identity.roles)}</span>
          ) : (
            <span class="muted">…</span>
          )}
          {identity.roles?.cycle ? (
            <span class="warn" data-testid="why-role-cycle">
              {' '}
              — these roles form a cycle through their roles relations ({identity.roles.cycle.join(' → ')}); Parse Server stops there too
            </span>
          ) : null}
          {identity.rolesWith === 'token' && !identity.rolesError ? (
            <span class="muted"> (read with this token: roles it cannot read are not listed)</span>
          ) : null}
        </span>
      );
  }
}

const READ_WITH = { master: "the server entry's master key", token: "the subscriber's token", public: 'no session token' } as const;

/** The object as read, masked and cut (computed once per object: a huge one is not walked on every render). */
function FoundObject({ lookup, className }: { lookup: Extract<ObjectLookup, { state: 'found' }>; className: string }) {
  const preview = useMemo(() => withNote(maskJSON(lookup.object, OBJECT_PREVIEW_CHARS)), [lookup.object]);
  return (
    <details class="pad-small" data-testid="why-lookup" data-state="found">
      <summary>
        {className} {lookup.objectId}, read with {READ_WITH[lookup.with]}
      </summary>
      <pre class="json why-object">{preview}</pre>
    </details>
  );
}

function LookupLine({ lookup, className }: { lookup: ObjectLookup; className: string }) {
  switch (lookup.state) {
    case 'idle':
      return null;
    case 'loading':
      return <div class="muted pad-small" data-testid="why-lookup" data-state="loading">Reading {className} {lookup.objectId} over REST…</div>;
    case 'found':
      return <FoundObject lookup={lookup} className={className} />;
    default:
      return (
        <div class={`pad-small ${lookup.state === 'unreadable' ? 'why-answer' : 'error-text'}`} role="alert" data-testid="why-lookup" data-state={lookup.state}>
          {lookup.message}
        </div>
      );
  }
}

/** Whether the verdicts include the class-level permissions, and why not. */
function ClassPermissionsLine() {
  const state = useWhy().classPermissions.value;
  if (state.state === 'loaded' || state.state === 'loading') return null;
  return (
    <div class={`pad-small ${state.state === 'error' ? 'error-text' : 'muted'}`} data-testid="why-clp-status">
      {state.state === 'error' ? state.message : `Class-level permissions are not checked here: ${state.reason}.`}
    </div>
  );
}

function WhatIfEditor() {
  const why = useWhy();
  const tooLarge = why.draftTooLarge.value;
  const whatIf = why.whatIf.value;
  if (tooLarge !== null) {
    return (
      <div class="muted pad-small" data-testid="why-whatif-too-large">
        The object is too large to edit here ({Number.isFinite(tooLarge) ? `${tooLarge.toLocaleString('en-US')} characters` : 'too deep'}); the verdict above uses it as read.
      </div>
    );
  }
  return (
    <div class="why-whatif" data-testid="why-whatif">
      <label class="why-editor">
        <span>Object after the write (JSON; empty: a delete)</span>
        <textarea
          rows={8}
          spellcheck={false}
          data-testid="why-whatif-object"
          value={why.objectDraft.value}
          onInput={(e) => why.editObject(e.currentTarget.value)}
        />
      </label>
      <label class="why-editor">
        <span>Original before the write (empty: a create)</span>
        <textarea
          rows={4}
          spellcheck={false}
          data-testid="why-whatif-original"
          value={why.originalDraft.value}
          onInput={(e) => why.editOriginal(e.currentTarget.value)}
        />
      </label>
      {whatIf.error ? (
        <div class="error-text" role="alert" data-testid="why-whatif-error">
          {whatIf.error}
          {whatIf.verdict ? ' — the verdict below is the last one that parsed.' : ''}
        </div>
      ) : null}
      {!whatIf.verdict && !whatIf.error ? <div class="muted">Explain an object to start from it, or paste one (REST JSON with its ACL).</div> : null}
      {whatIf.verdict ? <WhyChecklist verdict={whatIf.verdict} testId="why-whatif-verdict" stale={!!whatIf.error} /> : null}
    </div>
  );
}

export function WhyNoEventView() {
  const why = useWhy();
  const target = why.target.value;
  if (!target) return null;
  const lookup = why.lookup.value;
  const recorded = why.recorded.value;
  const savedNow = why.savedNow.value;
  const recordedVerdict = why.recordedVerdict.value;
  return (
    <div class="why-view" data-testid="why-view">
      <div class="result-header why-header">
        <strong>Why no event? {target.title}</strong>
        <button type="button" data-testid="why-close" onClick={() => why.close()}>
          Back to timeline
        </button>
      </div>
      <div class="why-body">
        <form
          class="line pad-small"
          onSubmit={(e) => {
            e.preventDefault();
            void why.look();
          }}
        >
          <label class="check">
            objectId{' '}
            <input
              type="text"
              data-testid="why-object-id"
              placeholder={`a ${target.className} objectId`}
              value={why.objectId.value}
              onInput={(e) => why.setObjectId(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary" data-testid="why-look" disabled={lookup.state === 'loading'}>
            Explain
          </button>
        </form>
        <div class="pad-small" data-testid="why-identity" data-state={why.identity.value.state}>
          <IdentityLine identity={why.identity.value} token={target.token} />
        </div>
        {why.connectionIdentity.value && target.connectionToken ? (
          <div class="pad-small" data-testid="why-connection-identity" data-state={why.connectionIdentity.value.state}>
            <IdentityLine identity={why.connectionIdentity.value} token={{ value: target.connectionToken, origin: 'connection' }} /> (Parse Server tries it second)
          </div>
        ) : null}
        <ClassPermissionsLine />
        <LookupLine lookup={lookup} className={target.className} />
        {lookup.state === 'found' && !why.identityReady.value ? (
          <div class="muted pad-small" data-testid="why-waiting">
            Resolving the subscriber's user and roles before explaining…
          </div>
        ) : null}
        {savedNow ? (
          <section class="why-section">
            <h3>If this object were saved now</h3>
            {why.secondTokenDelivers.value ? (
              <div class="why-headline why-second-token" data-testid="why-second-token" role="status">
                {why.secondTokenDelivers.value}
              </div>
            ) : null}
            <WhyChecklist verdict={savedNow} testId="why-now" />
            {why.savedNowByConnection.value ? (
              <>
                <h3>… with the connection's token</h3>
                <WhyChecklist verdict={why.savedNowByConnection.value} testId="why-now-connection" />
              </>
            ) : null}
          </section>
        ) : null}
        {recorded && recordedVerdict ? (
          <section class="why-section">
            <h3>
              Its recorded {recorded.op} at {formatClock(recorded.time).slice(0, 8)}
            </h3>
            <WhyChecklist verdict={recordedVerdict} testId="why-recorded" />
          </section>
        ) : lookup.state === 'found' || lookup.state === 'unreadable' ? (
          <div class="muted pad-small" data-testid="why-no-record">
            The timeline has no event of this subscription for this object.
          </div>
        ) : null}
        <section class="why-section">
          <h3>What if… (edit the fields or the ACL: the verdict follows as you type)</h3>
          <WhatIfEditor />
        </section>
        <details class="why-section" data-testid="why-causes" open>
          <summary>Causes a client cannot see</summary>
          <ul class="why-causes">
            {why.causes.value.map((cause) => (
              <li key={cause.id} data-testid="why-cause" data-cause={cause.id}>
                <div>{cause.what}</div>
                <div class="muted">How to check: {cause.check}</div>
              </li>
            ))}
          </ul>
        </details>
      </div>
    </div>
  );
}

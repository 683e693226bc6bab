// The query composer: class (with suggestions), where as a builder kept in sync with raw JSON, keys, watch, token;
// it subscribes, or applies an edit to a live subscription in place with the protocol's `update` op.

import { useState } from 'preact/hooks';
import type { ServerView } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import { useComposer, useConnections, useNames } from '../store/index.js';
import type { LintSubject } from '../store/lint.js';
import type { DraftResult, QueryDraft } from '../store/query-draft.js';
import { lazyModule } from '../lazy-module.js';
import { copyText } from './clipboard.js';
import { TokenSelect } from './TokenSelect.js';
import { lazyPlaceholder } from './lazy.js';
import { LintList, useSubscriptionLint } from './LintFindings.js';

const sdkCode = lazyModule('the Copy as code generator', () => import('../../src/composer/copy-as-code.js'));
const whereBuilder = lazyModule('the where builder', () => import('./WhereBuilder.js').then((m) => m.WhereBuilder));
const whereCheck = lazyModule("the where builder's check", () => import('../../src/composer/where-check.js'));

/** Waits for typing to pause before reading a class's schema (each typed prefix is another class name). */
const SCHEMA_DELAY_MS = 500;

/** What the linter reads of the draft: the query as it would be sent, else what of it can be read. */
function lintSubjectOf(draft: QueryDraft, parsed: DraftResult, server: ServerView | undefined, editedToken: string | undefined | null): LintSubject {
  let query: LintSubject['query'];
  if (parsed.ok) {
    query = parsed.query;
  } else {
    query = { className: draft.className.trim() };
    try {
      query.where = draft.where.trim() ? JSON.parse(draft.where) : {};
    } catch {
      // Not JSON: the field's own error says so; lint the rest.
    }
  }
  const spec = server?.spec;
  const subject: LintSubject = { query };
  const token = editedToken === null ? draft.sessionToken.trim() || undefined : editedToken;
  if (token !== undefined) subject.sessionToken = token;
  if (spec?.sessionToken) subject.connectionToken = spec.sessionToken;
  if (spec) subject.creds = { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, masterKey: spec.masterKey };
  return subject;
}

/** The draft's findings as it is typed; a refused or never-firing query may still be sent, to see the server's answer. */
function ComposerLint({ draft, parsed, serverId, editedSubscriptionId }: { draft: QueryDraft; parsed: DraftResult; serverId: string; editedSubscriptionId?: string }) {
  const server = useConnections().servers.value.find((s) => s.id === serverId);
  // Editing applies the query to a live subscription: its own token stays (null: the draft's token applies).
  const editedToken = editedSubscriptionId ? server?.subscriptions.find((s) => s.id === editedSubscriptionId)?.sessionToken : null;
  const result = useSubscriptionLint(lintSubjectOf(draft, parsed, server, editedToken), SCHEMA_DELAY_MS);
  if (!draft.className.trim()) return null;
  const { worst } = result;
  // The builder's own check, for what the linter does not cover (e.g. a $nearSphere without a GeoPoint).
  const lintedWhere = result.findings.some((f) => f.path?.startsWith('where'));
  const builderCheck = parsed.ok && !lintedWhere ? (whereCheck.get()?.validateWhere(parsed.query.where) ?? undefined) : undefined;
  return (
    <div class="field composer-lint">
      <span>Lint</span>
      <div>
        {worst === 'refused' || worst === 'never' ? (
          <div class="muted" data-testid="lint-can-send">
            {worst === 'refused' ? 'The server will refuse this subscription' : 'The server will accept this subscription, but it can never get the events flagged below'}
            : you can still subscribe to see its answer.
          </div>
        ) : null}
        <LintList result={result} extra={builderCheck} />
      </div>
    </div>
  );
}

type Mode = 'builder' | 'json';

/** Why a field of the draft is refused, under the field, while it is typed. */
function FieldError({ message, testId }: { message: string | null; testId: string }) {
  return message ? (
    <div class="error-text" data-testid={testId}>
      {message}
    </div>
  ) : null;
}

export function Composer({ serverId, serverKey }: { serverId: string; serverKey: string }) {
  const composer = useComposer();
  const classes = useNames().knownClasses.value;
  const draft = composer.draft.value;
  const editing = composer.editing.value;
  const parsed = composer.parsed.value;
  const [mode, setMode] = useState<Mode>('builder');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [showCode, setShowCode] = useState(false);
  const [busy, setBusy] = useState(false);
  // Until the builder's chunk arrives (or when it failed to load), the where is edited as its JSON text.
  const Builder = mode === 'builder' ? whereBuilder.get() : undefined;
  const builderFailed = mode === 'builder' && whereBuilder.state.value.status === 'failed';
  const set = (patch: Partial<QueryDraft>) => {
    composer.update(patch);
    setError(null);
    setNote(null);
  };
  const editedHere = editing && editing.serverId === serverId ? editing : null;

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNote(null);
    setBusy(true);
    try {
      if ((await composer.submit(serverId)) === 'updated') setNote('Applied with the update op');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!parsed.ok) return setError(parsed.error);
    let code: string;
    try {
      code = (await sdkCode.load()).toParseSdkCode(parsed.query, { sessionToken: !!draft.sessionToken });
    } catch (err) {
      return setError((err as Error).message);
    }
    setShowCode(true);
    setNote((await copyText(code)) ? 'Copied as Parse JS SDK code' : 'Select the code below to copy it');
  };

  const fieldError = (field: string) => (!parsed.ok && parsed.field === field ? parsed.error : null);
  return (
    <form class="composer" data-testid="subscribe-form" onSubmit={submit}>
      {editedHere ? (
        <div class="banner" data-testid="composer-editing">
          Editing subscription #{editedHere.requestId ?? '?'} in place.{' '}
          <button type="button" onClick={() => composer.cancelEdit()}>
            Cancel
          </button>
        </div>
      ) : null}
      <label class="field">
        <span>Class</span>
        <input
          data-testid="subscribe-className"
          list="known-classes"
          spellcheck={false}
          value={draft.className}
          onInput={(e) => set({ className: e.currentTarget.value })}
          placeholder="Message"
        />
      </label>
      <datalist id="known-classes">
        {classes.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <div class="field">
        <span>where</span>
        <div class="segmented" role="tablist">
          <button type="button" role="tab" class={mode === 'builder' ? 'active' : ''} aria-selected={mode === 'builder'} data-testid="where-mode-builder" onClick={() => setMode('builder')}>
            Builder
          </button>
          <button type="button" role="tab" class={mode === 'json' ? 'active' : ''} aria-selected={mode === 'json'} data-testid="where-mode-json" onClick={() => setMode('json')}>
            JSON
          </button>
        </div>
      </div>
      {builderFailed ? lazyPlaceholder(whereBuilder.state.value, () => void whereBuilder.load().catch(() => undefined)) : null}
      {Builder ? (
        <Builder where={draft.where} onChange={(where) => set({ where })} />
      ) : (
        <textarea
          data-testid="subscribe-where"
          class={fieldError('where') ? 'invalid' : ''}
          spellcheck={false}
          rows={5}
          value={draft.where}
          onInput={(e) => set({ where: e.currentTarget.value })}
        />
      )}
      <FieldError message={fieldError('where')} testId="where-error" />
      <label class="field">
        <span>keys</span>
        <input
          data-testid="subscribe-keys"
          class={fieldError('keys') ? 'invalid' : ''}
          spellcheck={false}
          value={draft.keys}
          onInput={(e) => set({ keys: e.currentTarget.value })}
          placeholder="title, score (optional)"
        />
      </label>
      <FieldError message={fieldError('keys')} testId="keys-error" />
      <label class="field">
        <span>watch</span>
        <input
          data-testid="subscribe-watch"
          class={fieldError('watch') ? 'invalid' : ''}
          spellcheck={false}
          value={draft.watch}
          onInput={(e) => set({ watch: e.currentTarget.value })}
          placeholder="score (optional)"
        />
      </label>
      <FieldError message={fieldError('watch')} testId="watch-error" />
      {!editedHere ? (
        <label class="field">
          <span>Session token</span>
          <span class="token-picker">
            <TokenSelect
              serverKey={serverKey}
              value={draft.sessionToken || undefined}
              testId="subscribe-token-select"
              onChange={(token) => set({ sessionToken: token ?? '' })}
            />
            <input
              data-testid="subscribe-token"
              type="password"
              autocomplete="off"
              value={draft.sessionToken}
              onInput={(e) => set({ sessionToken: e.currentTarget.value })}
              placeholder="or paste r:…"
            />
          </span>
        </label>
      ) : null}
      <ComposerLint draft={draft} parsed={parsed} serverId={serverId} editedSubscriptionId={editedHere?.subscriptionId} />
      {error ? (
        <div class="error-text" role="alert" data-testid="subscribe-error">
          {error}
        </div>
      ) : null}
      {note ? (
        <div class="muted" role="status" data-testid="composer-note">
          {note}
        </div>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} data-testid="subscribe-submit">
          {editedHere ? 'Apply (update op)' : 'Subscribe'}
        </button>
        <button type="button" data-testid="copy-as-code" onClick={copy}>
          Copy as code
        </button>
      </div>
      {showCode && parsed.ok ? (
        <pre class="code" data-testid="sdk-code">
          {sdkCode.get()?.toParseSdkCode(parsed.query, { sessionToken: !!draft.sessionToken }) ?? 'Loading…'}
        </pre>
      ) : null}
    </form>
  );
}

// Subscribe to a query on a server: className, where as JSON (validated as you type), keys, watch, session token.

import { useMemo, useState } from 'preact/hooks';
import { now } from '../../src/timeline/clock.js';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { normalizeQuery } from '../../src/livequery/query.js';
import type { AppState } from '../state/app-state.js';
import { TokenSelect } from './Keyring.js';

export interface QueryDraft {
  className: string;
  where: string;
  keys: string;
  watch: string;
  sessionToken: string;
}

export const EMPTY_DRAFT: QueryDraft = { className: '', where: '{}', keys: '', watch: '', sessionToken: '' };

/** Parses the form into a protocol query, or says exactly what is wrong. */
export function parseDraft(draft: QueryDraft): { ok: true; query: QueryJSON } | { ok: false; error: string } {
  let where: unknown = {};
  if (draft.where.trim()) {
    try {
      where = JSON.parse(draft.where);
    } catch (error) {
      return { ok: false, error: `"where" is not valid JSON: ${(error as Error).message}` };
    }
  }
  try {
    return {
      ok: true,
      query: normalizeQuery({ className: draft.className.trim(), where: where as Record<string, unknown>, keys: draft.keys, watch: draft.watch }),
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function SubscribeForm({
  state,
  serverId,
  serverKey,
  initial,
}: {
  state: AppState;
  serverId: string;
  serverKey: string;
  initial?: Partial<QueryDraft>;
}) {
  const [draft, setDraft] = useState<QueryDraft>({ ...EMPTY_DRAFT, ...initial });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseDraft(draft), [draft]);
  const whereError = !parsed.ok && parsed.error.startsWith('"where"') ? parsed.error : null;

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!parsed.ok) {
      setError(parsed.error);
      state.addLocalRecord({
        time: now(),
        source: { type: 'connection', serverId },
        kind: 'error',
        label: 'invalid query',
        className: draft.className || undefined,
        summary: `not sent: ${parsed.error}`,
        raw: JSON.stringify({ className: draft.className, where: draft.where }),
      });
      return;
    }
    setBusy(true);
    try {
      await state.run({ type: 'subscribe', serverId, query: parsed.query, sessionToken: draft.sessionToken.trim() || undefined });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const set = (key: keyof QueryDraft) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    setDraft({ ...draft, [key]: e.currentTarget.value });
  return (
    <form class="subscribe-form" data-testid="subscribe-form" onSubmit={submit}>
      <label class="field">
        <span>Class</span>
        <input data-testid="subscribe-className" required spellcheck={false} value={draft.className} onInput={set('className')} placeholder="Message" />
      </label>
      <label class="field">
        <span>where (JSON)</span>
        <textarea
          data-testid="subscribe-where"
          class={whereError ? 'invalid' : ''}
          spellcheck={false}
          rows={3}
          value={draft.where}
          onInput={set('where')}
        />
      </label>
      {whereError ? (
        <div class="error-text" data-testid="where-error">
          {whereError}
        </div>
      ) : null}
      <label class="field">
        <span>keys</span>
        <input data-testid="subscribe-keys" spellcheck={false} value={draft.keys} onInput={set('keys')} placeholder="title,score (optional)" />
      </label>
      <label class="field">
        <span>watch</span>
        <input data-testid="subscribe-watch" spellcheck={false} value={draft.watch} onInput={set('watch')} placeholder="score (optional)" />
      </label>
      <label class="field">
        <span>Session token</span>
        <span class="token-picker">
          <TokenSelect
            keyring={state.keyring}
            serverKey={serverKey}
            value={draft.sessionToken || undefined}
            testId="subscribe-token-select"
            onChange={(token) => setDraft({ ...draft, sessionToken: token ?? '' })}
          />
          <input data-testid="subscribe-token" type="password" autocomplete="off" value={draft.sessionToken} onInput={set('sessionToken')} placeholder="or paste r:…" />
        </span>
      </label>
      {error ? (
        <div class="error-text" role="alert" data-testid="subscribe-error">
          {error}
        </div>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} data-testid="subscribe-submit">
          Subscribe
        </button>
      </div>
    </form>
  );
}

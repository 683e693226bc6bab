// The editor that injects a synthetic event into one of the page's subscriptions (op, object, original as JSON).

import { EVENT_OPS, type EventOp } from '../../src/livequery/protocol.js';
import { OPS_WITH_ORIGINAL } from '../../src/inject/event-frame.js';
import { useInject } from '../store/index.js';

export function InjectEditor() {
  const inject = useInject();
  const target = inject.target.value;
  if (!target) return null;
  const op = inject.op.value;
  const draft = inject.draft.value;
  const status = inject.status.value;
  return (
    <div class="inject-editor" data-testid="inject-editor">
      <div class="line">
        <strong>Inject into #{target.requestId} {target.className}</strong>
        <span class="muted">delivered to the page only; nothing is sent to the server</span>
      </div>
      <label class="line">
        op{' '}
        <select data-testid="inject-op" value={op} onChange={(e) => inject.setOp(e.currentTarget.value as EventOp)}>
          {EVENT_OPS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <label class="block">
        object
        <textarea
          class="mono"
          rows={6}
          spellcheck={false}
          data-testid="inject-object"
          value={inject.objectText.value}
          onInput={(e) => inject.setObjectText(e.currentTarget.value)}
        />
      </label>
      {OPS_WITH_ORIGINAL.includes(op) ? (
        <label class="block">
          original <span class="muted">(empty: none, as for an enter after an ACL grant)</span>
          <textarea
            class="mono"
            rows={4}
            spellcheck={false}
            data-testid="inject-original"
            value={inject.originalText.value}
            onInput={(e) => inject.setOriginalText(e.currentTarget.value)}
          />
        </label>
      ) : null}
      {!draft.ok ? (
        <div class="error-text" data-testid="inject-draft-error">
          {draft.error}
        </div>
      ) : null}
      <div class="line actions">
        <button type="button" class="primary" data-testid="inject-send" disabled={!draft.ok || status.state === 'sending'} onClick={() => void inject.send()}>
          Inject {op}
        </button>
        <button type="button" data-testid="inject-cancel" onClick={() => inject.close()}>
          Close
        </button>
        <span role="status" data-testid="inject-status" class={status.state === 'error' ? 'error-text' : 'muted'}>
          {status.state === 'sent' ? `${status.op} injected` : status.state === 'sending' ? 'injecting…' : status.state === 'error' ? status.error : ''}
        </span>
      </div>
    </div>
  );
}

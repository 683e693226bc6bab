// The form that adds (or edits) a LiveQuery server; it keeps what the user typed when the server refuses it.

import { useState } from 'preact/hooks';
import type { ServerSpec } from '../../src/views.js';
import { restURLFor } from '../../src/parse-rest/rest-client.js';
import { cleanSpec } from '../store/connections.js';
import { useConnections, useServerChecks } from '../store/index.js';
import { ServerCheckVerdict } from './ServerCheck.js';

export interface ServerFormProps {
  initial?: ServerSpec;
  serverId?: string;
  onDone?: () => void;
}

const EMPTY: ServerSpec = { serverURL: '', applicationId: '' };

export function ServerForm({ initial, serverId, onDone }: ServerFormProps) {
  const connections = useConnections();
  const [spec, setSpec] = useState<ServerSpec>(initial ?? EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The spec last added here: its check (started with the add, never blocking it) is shown under the form. */
  const [added, setAdded] = useState<ServerSpec | null>(null);
  const serverChecks = useServerChecks();
  const field = (key: keyof ServerSpec, label: string, options: { type?: string; placeholder?: string; required?: boolean } = {}) => (
    <label class="field">
      <span>{label}</span>
      <input
        data-testid={`server-${key}`}
        type={options.type ?? 'text'}
        placeholder={options.placeholder}
        required={options.required}
        autocomplete="off"
        spellcheck={false}
        value={spec[key] ?? ''}
        onInput={(e) => setSpec({ ...spec, [key]: e.currentTarget.value })}
      />
    </label>
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (serverId) await connections.editServer(serverId, spec);
      else {
        const cleaned = cleanSpec(spec);
        void serverChecks.check(cleaned);
        setAdded(cleaned);
        await connections.addServer(spec);
      }
      if (!serverId) setSpec({ ...EMPTY });
      onDone?.();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="server-form" data-testid={serverId ? 'edit-server-form' : 'add-server-form'} onSubmit={submit}>
      {field('serverURL', 'LiveQuery URL', { placeholder: 'wss://example.com/parse', required: true })}
      {field('applicationId', 'Application ID', { required: true })}
      {field('javascriptKey', 'JavaScript key', { type: 'password' })}
      {field('masterKey', 'Master key', { type: 'password' })}
      {field('sessionToken', 'Session token (connect)', { type: 'password', placeholder: 'r:…' })}
      {field('restURL', 'REST URL', { placeholder: spec.serverURL.trim() ? `${restURLFor(spec.serverURL.trim())} (derived)` : 'derived from the LiveQuery URL' })}
      {field('label', 'Name', { placeholder: 'optional' })}
      {error ? (
        <div class="error-text" role="alert" data-testid="server-form-error">
          {error}
        </div>
      ) : null}
      {added && !serverId ? <ServerCheckVerdict spec={added} /> : null}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} data-testid="server-submit">
          {serverId ? 'Save' : 'Add server'}
        </button>
        {onDone && serverId ? (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

// A server card's REST URL (used for login, seeding and "What did I miss?"): shown, and edited in place.

import { useState } from 'preact/hooks';
import type { ServerView } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import { useConnections } from '../store/index.js';

export function RestURLLine({ server }: { server: ServerView }) {
  const connections = useConnections();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await connections.editServer(server.id, { ...server.spec, restURL: draft ?? '' });
      setDraft(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (draft === null) {
    return (
      <div class="line muted">
        <span data-testid="server-rest-url" title="Login, seeding and What did I miss? use this REST URL">
          REST {restURLOf(server.spec)}
          {server.spec.restURL ? '' : ' (derived)'}
        </span>
        <button type="button" class="link-button" data-testid="server-rest-url-edit" onClick={() => setDraft(restURLOf(server.spec))}>
          change
        </button>
      </div>
    );
  }
  return (
    <form class="line" data-testid="server-rest-url-form" onSubmit={save} onClick={(e) => e.stopPropagation()}>
      <input
        data-testid="server-rest-url-input"
        value={draft}
        placeholder="empty: derived from the LiveQuery URL"
        spellcheck={false}
        autocomplete="off"
        onInput={(e) => setDraft(e.currentTarget.value)}
      />
      <button type="submit" data-testid="server-rest-url-save">
        Save
      </button>
      <button type="button" onClick={() => setDraft(null)}>
        Cancel
      </button>
      {error ? (
        <div class="error-text" role="alert" data-testid="server-rest-url-error">
          {error}
        </div>
      ) : null}
    </form>
  );
}

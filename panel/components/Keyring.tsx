// A server's named session tokens: add by pasting, by logging in through REST, or from the page's current user.

import { useState } from 'preact/hooks';
import type { ServerView } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import { useKeyring } from '../store/index.js';
import { serverKeyOf } from '../store/keyring.js';
import { Secret } from './Secret.js';
import { CheckAllTokens, KeyringTokenCheck } from './TokenRadar.js';

type Mode = 'paste' | 'login';

export function KeyringEditor({ server }: { server: ServerView }) {
  const keyring = useKeyring();
  const serverKey = serverKeyOf(server.spec);
  const entries = keyring.forServer(serverKey);
  const [mode, setMode] = useState<Mode>('login');
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const done = (text: string) => setMessage({ error: false, text });
  const fail = (error: unknown) => setMessage({ error: true, text: (error as Error).message });

  const submit = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    setBusy(true);
    try {
      if (mode === 'paste') {
        const entry = await keyring.addPasted(serverKey, name, token);
        done(`Added "${entry.name}"`);
        setToken('');
      } else {
        const entry = await keyring.logIn(server.spec, { username, password, name });
        done(`Logged in as ${entry.username}`);
        setPassword('');
      }
      setName('');
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };

  const setPersisted = (e: Event) => {
    const box = e.currentTarget as HTMLInputElement;
    setMessage(null);
    keyring.setPersisted(box.checked).catch((error: unknown) => {
      // The setting did not change: show what is in force again.
      box.checked = keyring.persisted.peek();
      fail(error);
    });
  };

  const importFromPage = async () => {
    setMessage(null);
    try {
      const entry = await keyring.importFromPage(server.spec);
      done(`Imported the page's user${entry.username ? ` ${entry.username}` : ''}`);
    } catch (error) {
      fail(error);
    }
  };

  return (
    <div class="keyring" data-testid="keyring">
      <ul class="tokens">
        {entries.map((entry) => (
          <li key={entry.id} data-testid="keyring-entry">
            <strong>{entry.name}</strong>
            <Secret value={entry.token} label={`${entry.name}'s session token`} />
            <span class="muted">{entry.origin === 'login' ? 'logged in' : entry.origin === 'page' ? 'from page' : 'pasted'}</span>
            <KeyringTokenCheck entry={entry} />
            <button type="button" class="icon-button" title={`Forget ${entry.name}`} onClick={() => keyring.remove(entry.id).catch(fail)}>
              ✕
            </button>
          </li>
        ))}
        {entries.length === 0 ? <li class="muted">No token yet. Subscriptions without one are anonymous.</li> : null}
      </ul>
      <CheckAllTokens />
      <div class="segmented" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'login'} class={mode === 'login' ? 'active' : ''} data-testid="keyring-mode-login" onClick={() => setMode('login')}>
          Log in
        </button>
        <button type="button" role="tab" aria-selected={mode === 'paste'} class={mode === 'paste' ? 'active' : ''} data-testid="keyring-mode-paste" onClick={() => setMode('paste')}>
          Paste
        </button>
        <button type="button" data-testid="keyring-from-page" title="Use the inspected page's current Parse user" onClick={importFromPage}>
          From page
        </button>
      </div>
      <form onSubmit={submit} data-testid="keyring-form">
        <label class="field">
          <span>Name</span>
          <input data-testid="keyring-name" value={name} placeholder={mode === 'login' ? 'default: the username' : 'alice'} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {mode === 'paste' ? (
          <label class="field">
            <span>Session token</span>
            <input data-testid="keyring-token" type="password" autocomplete="off" value={token} placeholder="r:…" onInput={(e) => setToken(e.currentTarget.value)} />
          </label>
        ) : (
          <>
            <label class="field">
              <span>Username</span>
              <input data-testid="keyring-username" autocomplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>Password</span>
              <input data-testid="keyring-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
            <div class="muted" data-testid="keyring-rest-url" title="The server's REST URL: change it with the server (Edit)">
              through {restURLOf(server.spec)}
            </div>
          </>
        )}
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy} data-testid="keyring-submit">
            {mode === 'paste' ? 'Add token' : 'Log in'}
          </button>
          <label class="check" title="Keep tokens after the browser restarts (unencrypted, in the extension's own IndexedDB: web pages and content scripts cannot read it)">
            <input type="checkbox" data-testid="keyring-persist" checked={keyring.persisted.value} onChange={setPersisted} />
            Remember tokens
          </label>
        </div>
      </form>
      {message ? (
        <div class={message.error ? 'error-text' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="keyring-message">
          {message.text}
        </div>
      ) : null}
    </div>
  );
}

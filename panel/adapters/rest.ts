// The two Parse REST calls the panel makes itself (log in for a session token, run one query to seed a result set),
// behind an interface; the real client uses fetch.

export class RestError extends Error {
  override name = 'RestError';
}

/** The REST root for a LiveQuery URL: same host and path, http(s) instead of ws(s). */
export function restURLFor(liveQueryURL: string): string {
  return liveQueryURL.replace(/^ws(s?):/i, 'http$1:').replace(/\/+$/, '');
}

export interface RestCredentials {
  restURL: string;
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
  sessionToken?: string;
}

export interface LoggedInUser {
  sessionToken: string;
  objectId: string;
  username: string;
}

export interface RestClient {
  logIn(creds: RestCredentials, username: string, password: string): Promise<LoggedInUser>;
  find(creds: RestCredentials, className: string, where: Record<string, unknown>, limit?: number): Promise<Record<string, unknown>[]>;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export function fetchRestClient(fetchFn: Fetch = (url, init) => fetch(url, init)): RestClient {
  async function call(creds: RestCredentials, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { 'X-Parse-Application-Id': creds.applicationId, 'X-Parse-Revocable-Session': '1' };
    if (creds.javascriptKey) headers['X-Parse-JavaScript-Key'] = creds.javascriptKey;
    if (creds.masterKey) headers['X-Parse-Master-Key'] = creds.masterKey;
    if (creds.sessionToken) headers['X-Parse-Session-Token'] = creds.sessionToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchFn(`${creds.restURL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new RestError(`Cannot reach ${creds.restURL}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new RestError(`${creds.restURL}${path} answered ${response.status} without JSON: is this the Parse REST URL?`);
    }
    const data = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (!response.ok) throw new RestError(`${String(data.error ?? response.statusText)} (code ${String(data.code ?? response.status)})`);
    return data;
  }

  return {
    async logIn(creds, username, password) {
      const data = await call(creds, 'POST', '/login', { username, password });
      if (typeof data.sessionToken !== 'string') throw new RestError('The server answered without a session token');
      return { sessionToken: data.sessionToken, objectId: String(data.objectId ?? ''), username };
    },
    async find(creds, className, where, limit = 100) {
      const params = new URLSearchParams({ where: JSON.stringify(where), limit: String(limit) });
      const data = await call(creds, 'GET', `/classes/${encodeURIComponent(className)}?${params}`);
      return Array.isArray(data.results) ? (data.results as Record<string, unknown>[]) : [];
    },
  };
}

// One raw Parse REST GET for the server check: what came back (JSON and its status, something else, or nothing),
// never thrown, so that each answer can be judged (a 403 here is information, not a failure).

export interface ProbeKeys {
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
}

export type ProbeAnswer =
  | { kind: 'json'; status: number; body: Record<string, unknown> }
  | { kind: 'notJson'; status: number }
  | { kind: 'unreachable'; reason: string };

export interface ServerProbe {
  get(restURL: string, path: string, keys: ProbeKeys): Promise<ProbeAnswer>;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export function fetchServerProbe(fetchFn: Fetch = (url, init) => fetch(url, init)): ServerProbe {
  return {
    async get(restURL, path, keys) {
      const headers: Record<string, string> = { 'X-Parse-Application-Id': keys.applicationId };
      if (keys.javascriptKey) headers['X-Parse-JavaScript-Key'] = keys.javascriptKey;
      if (keys.masterKey) headers['X-Parse-Master-Key'] = keys.masterKey;
      let response: Response;
      try {
        response = await fetchFn(`${restURL.replace(/\/+$/, '')}${path}`, { method: 'GET', headers });
      } catch (error) {
        return { kind: 'unreachable', reason: (error as Error).message || String(error) };
      }
      let json: unknown;
      try {
        json = JSON.parse(await response.text());
      } catch {
        return { kind: 'notJson', status: response.status };
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'notJson', status: response.status };
      return { kind: 'json', status: response.status, body: json as Record<string, unknown> };
    },
  };
}

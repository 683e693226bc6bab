// One look at the Parse Server a fleet node resolves tokens through: is the REST URL right, does it take the master
// key, which version is it. The answer goes into the start-up log and /health; the node runs either way.

export type ProbeResult = { ok: true; version?: string } | { ok: false; problem: string };

export async function probeParseServer(restURL: string, applicationId: string, masterKey: string): Promise<ProbeResult> {
  let response: Response;
  try {
    response = await fetch(`${restURL}/serverInfo`, {
      headers: { 'X-Parse-Application-Id': applicationId, 'X-Parse-Master-Key': masterKey },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return { ok: false, problem: `cannot reach ${restURL}: ${cause ?? (error as Error).message}` };
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${restURL}/serverInfo answered ${response.status} without JSON: is this the Parse REST URL (e.g. http://host:1337/parse)?` };
  }
  if (response.status === 403 || response.status === 401) return { ok: false, problem: `${restURL} refused the application id or the master key (${response.status})` };
  if (!response.ok) return { ok: false, problem: `${restURL}/serverInfo answered ${response.status}: ${text.slice(0, 120)}` };
  const version = (json as { parseServerVersion?: unknown }).parseServerVersion;
  return { ok: true, ...(typeof version === 'string' ? { version } : {}) };
}

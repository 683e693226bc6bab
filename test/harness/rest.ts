// A tiny fetch-based Parse REST client for tests; it works against any LiveQueryTarget (Parse Server or the embedded server).

/** What the REST calls need from a target. */
export interface RestTarget {
  restURL: string;
  applicationId: string;
  javascriptKey: string;
  masterKey: string;
}

export type ParseACL = Record<string, { read?: boolean; write?: boolean }>;

export interface RequestOptions {
  sessionToken?: string;
  /** Send X-Parse-Master-Key instead of the JavaScript key. */
  useMasterKey?: boolean;
}
export interface WriteOptions extends RequestOptions {
  /** Shorthand for an `ACL` field in the body. */
  acl?: ParseACL;
}

export interface UserSession {
  objectId: string;
  sessionToken: string;
  username: string;
}

/** A non-2xx Parse REST answer. */
export class ParseRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'ParseRestError';
  }
}

type Json = Record<string, unknown>;

export async function request(
  target: RestTarget,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: Json,
  options: RequestOptions = {},
): Promise<Json> {
  const headers: Record<string, string> = { 'X-Parse-Application-Id': target.applicationId };
  if (options.useMasterKey) headers['X-Parse-Master-Key'] = target.masterKey;
  else headers['X-Parse-JavaScript-Key'] = target.javascriptKey;
  if (options.sessionToken) headers['X-Parse-Session-Token'] = options.sessionToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${target.restURL}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { text };
  }
  if (!response.ok) {
    const code = typeof json === 'object' && json !== null && typeof (json as Json).code === 'number' ? ((json as Json).code as number) : undefined;
    throw new ParseRestError(response.status, code, json, `${method} ${path}`);
  }
  return typeof json === 'object' && json !== null ? (json as Json) : { value: json };
}

function str(json: Json, key: string, what: string): string {
  const value = json[key];
  if (typeof value !== 'string') throw new Error(`${what}: no string '${key}' in ${JSON.stringify(json)}`);
  return value;
}

export async function signUp(target: RestTarget, username: string, password: string): Promise<UserSession> {
  const json = await request(target, 'POST', '/users', { username, password });
  return { objectId: str(json, 'objectId', 'signUp'), sessionToken: str(json, 'sessionToken', 'signUp'), username };
}

export async function logIn(target: RestTarget, username: string, password: string): Promise<UserSession> {
  const json = await request(target, 'POST', '/login', { username, password });
  return { objectId: str(json, 'objectId', 'logIn'), sessionToken: str(json, 'sessionToken', 'logIn'), username };
}

export async function logOut(target: RestTarget, sessionToken: string): Promise<void> {
  await request(target, 'POST', '/logout', {}, { sessionToken });
}

function withAcl(fields: Json, acl: ParseACL | undefined): Json {
  return acl ? { ...fields, ACL: acl } : fields;
}

export interface CreatedObject {
  objectId: string;
  createdAt: string;
}

export async function createObject(target: RestTarget, className: string, fields: Json, options: WriteOptions = {}): Promise<CreatedObject> {
  const json = await request(target, 'POST', `/classes/${className}`, withAcl(fields, options.acl), options);
  return { objectId: str(json, 'objectId', 'createObject'), createdAt: str(json, 'createdAt', 'createObject') };
}

export async function updateObject(
  target: RestTarget,
  className: string,
  objectId: string,
  fields: Json,
  options: WriteOptions = {},
): Promise<{ updatedAt: string }> {
  const json = await request(target, 'PUT', `/classes/${className}/${objectId}`, withAcl(fields, options.acl), options);
  return { updatedAt: str(json, 'updatedAt', 'updateObject') };
}

export async function deleteObject(target: RestTarget, className: string, objectId: string, options: RequestOptions = {}): Promise<void> {
  await request(target, 'DELETE', `/classes/${className}/${objectId}`, undefined, options);
}

export async function getObject(target: RestTarget, className: string, objectId: string, options: RequestOptions = {}): Promise<Json> {
  return request(target, 'GET', `/classes/${className}/${objectId}`, undefined, options);
}

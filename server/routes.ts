// The REST routes below the mount path, mapped to reads, writes, users and batch, with Parse's status codes.

import { ErrorCode, ParseError } from './errors.js';
import { findObjects, getObject, type FindParams } from './query.js';
import type { RestRequest } from './rest-request.js';
import { currentSession, currentUser, logIn, logOut, signUp } from './users.js';
import { createObject, deleteObject, ensureClass, updateObject, type WriteContext } from './writes.js';

type Bag = Record<string, unknown>;

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown for a path no route serves: the HTTP layer answers with Express' HTML 404. */
export class NoRouteError extends Error {}

export interface RouteContext extends WriteContext {
  /** `http://host:port/parse`, for Location headers. */
  serverURL: string;
  mountPath: string;
}

const SERVER_INFO = {
  features: {
    globalConfig: { create: true, read: true, update: true, delete: true },
    hooks: { create: true, read: true, update: true, delete: true },
    cloudCode: { jobs: true },
    logs: { level: true, size: true, order: true, until: true, from: true },
    push: { immediatePush: false, scheduledPush: false, storedPushData: false, pushAudiences: true, localization: true },
    schemas: {
      addField: true,
      removeField: true,
      addClass: true,
      removeClass: true,
      clearAllDataFromClass: true,
      exportClass: false,
      editClassLevelPermissions: true,
      editPointerPermissions: true,
    },
    settings: { securityCheck: false },
  },
  parseServerVersion: '9.10.0',
};

/** Classes with their own REST prefix besides `/classes/<name>`. */
const ALIASES: Record<string, string> = { users: '_User', sessions: '_Session', installations: '_Installation', roles: '_Role' };

const ok = (body: unknown, status = 200): RouteResult => ({ status, body });

/** Query-string values are JSON-decoded where they parse (`limit=2` is a number), as Parse's ClassesRouter does. */
function findParams(request: RestRequest): FindParams {
  const fromQuery: FindParams = {};
  for (const [key, value] of Object.entries(request.query)) {
    try {
      fromQuery[key] = JSON.parse(value);
    } catch {
      fromQuery[key] = value;
    }
  }
  return { ...request.body, ...fromQuery };
}

function requireMaster(ctx: RouteContext): void {
  if (!ctx.identity.master) throw new HttpError(403, 'unauthorized: master key is required');
}

/** An error Parse answers with a bare `{error}` body (no Parse code). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function createRoute(ctx: RouteContext, className: string, body: Bag, prefix: string): Promise<RouteResult> {
  const result = className === '_User' ? await signUp(ctx, body) : (await createObject(ctx, className, body)).response;
  const objectId = String(result.objectId);
  return { status: 201, body: result, headers: { Location: `${ctx.serverURL}/${prefix}/${objectId}` } };
}

async function objectRoutes(ctx: RouteContext, request: RestRequest, className: string, id: string | undefined, prefix: string): Promise<RouteResult> {
  const { method } = request;
  if (id === undefined) {
    if (method === 'GET') return ok(findObjects(ctx, className, findParams(request)));
    if (method === 'POST') return createRoute(ctx, className, request.body, prefix);
    throw new NoRouteError();
  }
  if (method === 'GET') return ok(getObject(ctx, className, id, findParams(request)));
  if (method === 'PUT') return ok(await updateObject(ctx, className, id, request.body));
  if (method === 'DELETE') {
    deleteObject(ctx, className, id);
    return ok({});
  }
  throw new NoRouteError();
}

function schemaRoute(ctx: RouteContext, request: RestRequest, className: string | undefined): RouteResult {
  requireMaster(ctx);
  const describe = (name: string): Bag => {
    const fields: Bag = { objectId: { type: 'String' }, createdAt: { type: 'Date' }, updatedAt: { type: 'Date' }, ACL: { type: 'ACL' } };
    for (const [field, type] of ctx.store.fieldTypes(name)) {
      const match = /^(Pointer|Relation)<(.*)>$/.exec(type);
      fields[field] = match ? { type: match[1], targetClass: match[2] } : { type };
    }
    return { className: name, fields };
  };
  if (className === undefined) {
    if (request.method !== 'GET') throw new NoRouteError();
    return ok({ results: ctx.store.classNames().map(describe) });
  }
  if (request.method === 'POST') {
    if (ctx.store.hasClass(className)) throw new ParseError(ErrorCode.INVALID_CLASS_NAME, `Class ${className} already exists.`);
    ensureClass(ctx, className);
    const fields = request.body.fields;
    if (fields && typeof fields === 'object') {
      for (const [field, spec] of Object.entries(fields as Record<string, Bag>)) {
        const type = String(spec?.type);
        ctx.store.setFieldType(className, field, spec?.targetClass ? `${type}<${String(spec.targetClass)}>` : type);
      }
    }
    return ok(describe(className));
  }
  if (request.method === 'GET') {
    if (!ctx.store.hasClass(className)) throw new ParseError(ErrorCode.INVALID_CLASS_NAME, `Class ${className} does not exist.`);
    return ok(describe(className));
  }
  throw new NoRouteError();
}

async function batchRoute(ctx: RouteContext, request: RestRequest): Promise<RouteResult> {
  const requests = request.body.requests;
  if (!Array.isArray(requests)) throw new ParseError(ErrorCode.INVALID_JSON, 'requests must be an array');
  const prefix = `${ctx.mountPath}/`;
  const planned = requests.map((item: unknown) => {
    const sub = (item ?? {}) as Bag;
    const path = String(sub.path);
    if (!path.startsWith(prefix)) throw new ParseError(ErrorCode.INVALID_JSON, `cannot route batch path ${path}`);
    const body = sub.body && typeof sub.body === 'object' ? { ...(sub.body as Bag) } : {};
    return { ...request, method: String(sub.method).toUpperCase(), path: path.slice(ctx.mountPath.length), query: {}, body };
  });
  const results: unknown[] = [];
  // Parse Server runs batch items concurrently; running them in order keeps the outcome deterministic.
  for (const sub of planned) {
    try {
      results.push({ success: (await route(ctx, sub)).body });
    } catch (error) {
      const code = error instanceof ParseError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
      results.push({ error: { code, error: error instanceof Error ? error.message : String(error) } });
    }
  }
  return ok(results);
}

/** Serves one decoded request. */
export async function route(ctx: RouteContext, request: RestRequest): Promise<RouteResult> {
  const parts = request.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, second, third, ...extra] = parts;
  const { method } = request;
  if (extra.length) throw new NoRouteError();
  switch (head) {
    case 'serverInfo':
      if (method !== 'GET' || second !== undefined) throw new NoRouteError();
      if (!ctx.identity.master) throw new HttpError(403, 'Permission denied');
      return ok(SERVER_INFO);
    case 'config':
      if (method !== 'GET' || second !== undefined) throw new NoRouteError();
      return ok({ params: {} });
    case 'login':
      if ((method !== 'GET' && method !== 'POST') || second !== undefined) throw new NoRouteError();
      return ok(await logIn(ctx, { ...request.query, ...request.body }));
    case 'logout':
      if (method !== 'POST' || second !== undefined) throw new NoRouteError();
      return ok(logOut(ctx));
    case 'batch':
      if (method !== 'POST' || second !== undefined) throw new NoRouteError();
      return batchRoute(ctx, request);
    case 'schemas':
      if (third !== undefined) throw new NoRouteError();
      return schemaRoute(ctx, request, second);
    case 'classes':
      if (second === undefined) throw new NoRouteError();
      return objectRoutes(ctx, request, second, third, `classes/${second}`);
    default:
      break;
  }
  const className = head !== undefined && Object.prototype.hasOwnProperty.call(ALIASES, head) ? ALIASES[head] : undefined;
  if (className === undefined || third !== undefined) throw new NoRouteError();
  if (head === 'users' && second === 'me' && method === 'GET') return ok(currentUser(ctx));
  if (head === 'sessions' && second === 'me' && method === 'GET') return ok(currentSession(ctx));
  return objectRoutes(ctx, request, className, second, head);
}

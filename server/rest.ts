// The REST API's HTTP layer: CORS, body parsing, app/key checks, session resolution, and Parse's error responses.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { aclGroups, userForToken, type Identity } from './auth.js';
import { ErrorCode, httpStatusFor, InternalError, ParseError } from './errors.js';
import { BodyError, BodyTooLargeError, decodeRequest, parseJSONBody, readBody, type RestRequest } from './rest-request.js';
import { HttpError, NoRouteError, route, type RouteContext, type RouteResult } from './routes.js';
import type { Store } from './store.js';
import type { Publisher } from './writes.js';

export interface RestConfig {
  applicationId: string;
  javascriptKey: string;
  masterKey: string;
  /** When false, no client key is required (like a Parse Server without client keys configured). */
  requireKeys: boolean;
  mountPath: string;
  allowClientClassCreation: boolean;
  serverURL: () => string;
}

const BODY_LIMIT_BYTES = 20 * 1024 * 1024;

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET,PUT,POST,DELETE,OPTIONS',
  'Access-Control-Allow-Headers':
    'X-Parse-Master-Key, X-Parse-REST-API-Key, X-Parse-Javascript-Key, X-Parse-Application-Id, X-Parse-Client-Version, X-Parse-Session-Token, X-Requested-With, X-Parse-Revocable-Session, X-Parse-Request-Id, Content-Type, Pragma, Cache-Control',
  'Access-Control-Expose-Headers': 'X-Parse-Job-Status-Id, X-Parse-Push-Status-Id',
};

/** Express' weak ETag: length and SHA-1 of the body. */
function etag(text: string): string {
  const hash = createHash('sha1').update(text, 'utf8').digest('base64').substring(0, 27);
  return `W/"${Buffer.byteLength(text).toString(16)}-${hash}"`;
}

function sendText(res: ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ETag: etag(text) });
  res.end(text);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

/** Express' own 404 page, which is what Parse Server answers for an unknown route. */
function sendNotFound(res: ServerResponse, method: string, path: string): void {
  const escaped = path.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${method} ${escaped}</pre>\n</body>\n</html>\n`;
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

/** Parse answers a bad app id or client key with a bare 403 and no content type. */
function sendUnauthorized(res: ServerResponse): void {
  const text = '{"error":"unauthorized"}';
  res.writeHead(403, { 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof ParseError) {
    send(res, httpStatusFor(error), { code: error.code, error: error.message });
  } else if (error instanceof HttpError) {
    send(res, error.status, { error: error.message });
  } else if (error instanceof InternalError) {
    send(res, 500, { code: ErrorCode.INTERNAL_SERVER_ERROR, message: error.message });
  } else {
    send(res, 500, { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error.' });
  }
}

/** Whether the request may use the API at all, and whether it holds the master key. */
function checkKeys(config: RestConfig, request: RestRequest): { allowed: boolean; master: boolean } {
  if (request.appId !== config.applicationId) return { allowed: false, master: false };
  if (request.masterKey === config.masterKey) return { allowed: true, master: true };
  if (!config.requireKeys) return { allowed: true, master: false };
  return { allowed: request.javascriptKey === config.javascriptKey, master: false };
}

export function createRestHandler(config: RestConfig, store: Store, publish: Publisher) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Powered-By', 'Express');
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      sendText(res, 200, 'OK', 'text/plain; charset=utf-8');
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendNotFound(res, method, req.url ?? '/');
      return;
    }
    const mount = config.mountPath;
    if (url.pathname !== mount && !url.pathname.startsWith(`${mount}/`)) {
      sendNotFound(res, method, url.pathname);
      return;
    }
    const path = url.pathname.slice(mount.length) || '/';
    try {
      if (path === '/health' && method === 'GET') {
        send(res, 200, { status: 'ok' });
        return;
      }
      const raw = await readBody(req, BODY_LIMIT_BYTES);
      const request = decodeRequest(req, url, path, parseJSONBody(raw), config.applicationId);
      const keys = checkKeys(config, request);
      if (!keys.allowed) {
        sendUnauthorized(res);
        return;
      }
      const identity: Identity = { master: keys.master, installationId: request.installationId };
      if (!keys.master && request.sessionToken) {
        const user = userForToken(store, request.sessionToken);
        if (!user) throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, 'Invalid session token');
        identity.user = user;
        identity.sessionToken = request.sessionToken;
      }
      const ctx: RouteContext = {
        store,
        identity,
        groups: aclGroups(store, identity),
        allowClientClassCreation: config.allowClientClassCreation,
        publish,
        serverURL: config.serverURL(),
        mountPath: mount,
      };
      const result: RouteResult = await route(ctx, request);
      send(res, result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof NoRouteError) sendNotFound(res, method, url.pathname);
      else if (error instanceof BodyError) send(res, 400, { error: error.message });
      else if (error instanceof BodyTooLargeError) send(res, 413, { error: error.message });
      else sendError(res, error);
    }
  };
}

// Decodes an HTTP request the way Parse Server's middlewares do: JSON body of any content type, keys from headers
// or (for the JS SDK's text/plain POSTs) from `_ApplicationId`/`_JavaScriptKey`/… body fields, and `_method` override.

import type { IncomingMessage } from 'node:http';

type Bag = Record<string, unknown>;

export interface RestRequest {
  method: string;
  /** Path below the mount path, e.g. `/classes/Game/abc`. */
  path: string;
  query: Record<string, string>;
  body: Bag;
  appId?: string;
  javascriptKey?: string;
  masterKey?: string;
  clientKey?: string;
  restAPIKey?: string;
  sessionToken?: string;
  installationId?: string;
}

/** A body that body-parser would reject; Parse answers 400 `{error: message}`. */
export class BodyError extends Error {}

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        reject(new BodyTooLargeError('request entity too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

/** body-parser's strict JSON: only objects and arrays, with its error wording for anything else. */
export function parseJSONBody(raw: Buffer): Bag {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') {
    const index = first === undefined ? -1 : text.indexOf(first);
    const partial = index === -1 ? '' : `${text.substring(0, index)}#${text.substring(index + 1)}`;
    try {
      JSON.parse(partial);
    } catch (error) {
      const message = (error as Error).message.replace(/#+/g, (hashes) => text.substring(index, index + hashes.length));
      throw new BodyError(message);
    }
  }
  try {
    return JSON.parse(text) as Bag;
  } catch (error) {
    throw new BodyError((error as Error).message);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function takeString(body: Bag, key: string): string | undefined {
  const value = body[key];
  delete body[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Builds the request model. When the headers do not name this app, the keys are taken from the body's underscore
 * fields (as the JS SDK sends them), which are then removed from the body, as Parse's middleware does.
 */
export function decodeRequest(req: IncomingMessage, url: URL, path: string, body: Bag, appId: string): RestRequest {
  const request: RestRequest = {
    method: req.method ?? 'GET',
    path,
    query: Object.fromEntries(url.searchParams),
    body,
    appId: header(req, 'x-parse-application-id'),
    javascriptKey: header(req, 'x-parse-javascript-key'),
    masterKey: header(req, 'x-parse-master-key'),
    clientKey: header(req, 'x-parse-client-key'),
    restAPIKey: header(req, 'x-parse-rest-api-key'),
    sessionToken: header(req, 'x-parse-session-token'),
    installationId: header(req, 'x-parse-installation-id'),
  };
  delete body._RevocableSession;
  if (request.appId !== appId && body._ApplicationId === appId) {
    request.appId = takeString(body, '_ApplicationId');
    request.javascriptKey = takeString(body, '_JavaScriptKey') ?? '';
    request.masterKey = takeString(body, '_MasterKey') ?? request.masterKey;
    request.sessionToken = takeString(body, '_SessionToken') ?? request.sessionToken;
    request.installationId = takeString(body, '_InstallationId') ?? request.installationId;
    for (const key of ['_ClientVersion', '_ContentType', '_context']) delete body[key];
  }
  if (request.method === 'POST' && typeof body._method === 'string') {
    request.method = body._method.toUpperCase();
    delete body._method;
  }
  return request;
}

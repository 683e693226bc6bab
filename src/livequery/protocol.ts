// The Parse LiveQuery wire protocol: frame types both ways and a validator for frames received from a server.

export type ClientOp = 'connect' | 'subscribe' | 'update' | 'unsubscribe';
export type EventOp = 'create' | 'enter' | 'update' | 'leave' | 'delete';
export const EVENT_OPS: readonly EventOp[] = ['create', 'enter', 'update', 'leave', 'delete'];
export const SERVER_OPS = ['connected', 'subscribed', 'unsubscribed', 'error', ...EVENT_OPS, 'result'] as const;
export type ServerOp = (typeof SERVER_OPS)[number];

/** A JSON object as Parse sends it (REST JSON: className, objectId, ISO dates, pointers, ACL map). */
export type ParseJSON = { [key: string]: unknown };

export interface QueryJSON {
  className: string;
  where: ParseJSON;
  keys?: string[];
  watch?: string[];
}

export interface ConnectFrame {
  op: 'connect';
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
  clientKey?: string;
  windowsKey?: string;
  restAPIKey?: string;
  sessionToken?: string;
  installationId?: string;
}
export interface SubscribeFrame {
  op: 'subscribe' | 'update';
  requestId: number;
  query: QueryJSON;
  sessionToken?: string;
}
export interface UnsubscribeFrame {
  op: 'unsubscribe';
  requestId: number;
}
export type ClientFrame = ConnectFrame | SubscribeFrame | UnsubscribeFrame;

interface ServerFrameBase {
  clientId?: string | number;
  installationId?: string;
}
export interface ConnectedFrame extends ServerFrameBase {
  op: 'connected';
}
export interface SubscribedFrame extends ServerFrameBase {
  op: 'subscribed' | 'unsubscribed';
  requestId: number;
}
export interface ErrorFrame extends ServerFrameBase {
  op: 'error';
  error: string;
  code: number;
  reconnect: boolean;
  requestId?: number | null;
}
export interface EventFrame extends ServerFrameBase {
  op: EventOp;
  requestId: number;
  object: ParseJSON;
  original?: ParseJSON;
}
export interface ResultFrame extends ServerFrameBase {
  op: 'result';
  requestId: number;
  results: ParseJSON[];
}
export type ServerFrame = ConnectedFrame | SubscribedFrame | ErrorFrame | EventFrame | ResultFrame;

export type FrameCheck<T> = { ok: true; frame: T } | { ok: false; reason: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function checkCommon(f: Record<string, unknown>): string | undefined {
  const { clientId, installationId } = f;
  if (clientId !== undefined && typeof clientId !== 'string' && typeof clientId !== 'number') {
    return '"clientId" must be a string';
  }
  if (installationId !== undefined && typeof installationId !== 'string') return '"installationId" must be a string';
  return undefined;
}

function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Validates an already-parsed value as a server→client frame. */
export function checkServerFrame(value: unknown): FrameCheck<ServerFrame> {
  if (!isPlainObject(value)) return fail('frame is not a JSON object');
  const op = value.op;
  if (typeof op !== 'string') return fail('frame has no string "op"');
  const common = checkCommon(value);
  if (common) return fail(common);
  switch (op) {
    case 'connected':
      return { ok: true, frame: value as unknown as ConnectedFrame };
    case 'subscribed':
    case 'unsubscribed':
      if (!isRequestId(value.requestId)) return fail(`"${op}" needs a numeric "requestId"`);
      return { ok: true, frame: value as unknown as SubscribedFrame };
    case 'error':
      if (typeof value.error !== 'string') return fail('"error" needs a string "error"');
      if (typeof value.code !== 'number') return fail('"error" needs a numeric "code"');
      if (value.reconnect !== undefined && typeof value.reconnect !== 'boolean') {
        return fail('"error" has a non-boolean "reconnect"');
      }
      if (value.requestId !== undefined && value.requestId !== null && !isRequestId(value.requestId)) {
        return fail('"error" has a non-numeric "requestId"');
      }
      return { ok: true, frame: value as unknown as ErrorFrame };
    case 'create':
    case 'enter':
    case 'update':
    case 'leave':
    case 'delete':
      if (!isRequestId(value.requestId)) return fail(`"${op}" needs a numeric "requestId"`);
      if (!isPlainObject(value.object)) return fail(`"${op}" needs an "object"`);
      if (value.original !== undefined && !isPlainObject(value.original)) {
        return fail(`"${op}" has a non-object "original"`);
      }
      return { ok: true, frame: value as unknown as EventFrame };
    case 'result':
      if (!isRequestId(value.requestId)) return fail('"result" needs a numeric "requestId"');
      if (!Array.isArray(value.results) || !value.results.every(isPlainObject)) {
        return fail('"result" needs an array of objects in "results"');
      }
      return { ok: true, frame: value as unknown as ResultFrame };
    default:
      return fail(`unknown op "${op.length > 40 ? op.slice(0, 40) + '…' : op}"`);
  }
}

export const NOT_JSON = 'frame is not valid JSON';

/** Parses and validates the text of a server→client frame. */
export function parseServerFrame(text: string): FrameCheck<ServerFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(NOT_JSON);
  }
  return checkServerFrame(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function checkQuery(value: unknown): string | undefined {
  if (!isPlainObject(value)) return '"query" must be an object';
  if (typeof value.className !== 'string') return '"query.className" must be a string';
  if (!isPlainObject(value.where)) return '"query.where" must be an object';
  if (value.keys !== undefined && !isStringList(value.keys)) return '"query.keys" must be a list of strings';
  if (value.watch !== undefined && !isStringList(value.watch)) return '"query.watch" must be a list of strings';
  return undefined;
}

/** Validates a client→server frame (used to classify and display traffic we did not send ourselves). */
export function checkClientFrame(value: unknown): FrameCheck<ClientFrame> {
  if (!isPlainObject(value)) return fail('frame is not a JSON object');
  switch (value.op) {
    case 'connect':
      if (typeof value.applicationId !== 'string') return fail('"connect" needs a string "applicationId"');
      return { ok: true, frame: value as unknown as ConnectFrame };
    case 'subscribe':
    case 'update': {
      if (!isRequestId(value.requestId)) return fail(`"${value.op}" needs a numeric "requestId"`);
      const problem = checkQuery(value.query);
      if (problem) return fail(problem);
      return { ok: true, frame: value as unknown as SubscribeFrame };
    }
    case 'unsubscribe':
      if (!isRequestId(value.requestId)) return fail('"unsubscribe" needs a numeric "requestId"');
      return { ok: true, frame: value as unknown as UnsubscribeFrame };
    default:
      return fail(typeof value.op === 'string' ? `unknown op "${value.op}"` : 'frame has no string "op"');
  }
}

// The recording file: writes timeline records (redacted by default) and reads such a file back, validating it strictly.

import type { ClientState } from '../livequery/client.js';
import type { PageSocketState, ServerSpec } from '../views.js';
import {
  RECORD_KINDS,
  type FanoutVerdict,
  type FanoutWrite,
  type GapReason,
  type Marker,
  type MarkerOf,
  type MarkerType,
  type RecordKind,
  type RecordSource,
  type RecordSourceType,
  type RecoveredChange,
  type TokenInvalidState,
  type TokenSource,
  type TimelineRecord,
} from './record.js';
import { upgradeV1Record, upgradeV1SourceKey, type V1Source } from './recording-v1.js';
import { RECORDING_FORMAT, RECORDING_VERSION } from './recording-format.js';
import { collectSecrets, Redactor } from './redact.js';

export { exportHar, type HarOptions } from './har.js';

export { RECORDING_FORMAT, RECORDING_VERSION };
export const APP_NAME = 'LiveQuery DevTools';

export interface Recording {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  app: { name: string; version: string };
  /** Whether secrets were replaced with "[redacted]". */
  redacted: boolean;
  /** What the timeline filter was when the records were exported, in words. */
  filter?: string;
  servers?: ServerSpec[];
  /** Display names of the sources, by `sourceKey()`. */
  sources?: Record<string, string>;
  records: TimelineRecord[];
}

export interface ExportOptions {
  exportedAt: Date | number;
  appVersion: string;
  /** Replace secrets with "[redacted]" (default true). */
  redact?: boolean;
  servers?: readonly ServerSpec[];
  sources?: Readonly<Record<string, string>>;
  filter?: string;
  /** More secret values to remove wherever they occur (beyond those the records and servers name). */
  secrets?: readonly string[];
}

/**
 * The recording as JSON text: a header, then one record per line (still one JSON document). With `redact`, the
 * values of sessionToken, masterKey, javascriptKey, restAPIKey, clientKey and windowsKey are replaced in frames and
 * server specs, and every such value (and any `r:…` session token) is removed from all other text too.
 */
export function exportRecording(records: readonly TimelineRecord[], options: ExportOptions): string {
  const redact = options.redact ?? true;
  const redactor = redact
    ? new Redactor([...collectSecrets(records, options.servers), ...(options.secrets ?? [])])
    : undefined;
  const header: Omit<Recording, 'records'> = {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    exportedAt: new Date(options.exportedAt).toISOString(),
    app: { name: APP_NAME, version: options.appVersion },
    redacted: redact,
  };
  if (options.filter !== undefined) header.filter = redactor ? redactor.text(options.filter) : options.filter;
  if (options.servers) header.servers = options.servers.map((s) => (redactor ? redactor.server(s) : { ...s }));
  if (options.sources) {
    header.sources = Object.fromEntries(Object.entries(options.sources).map(([key, name]) => [key, redactor ? redactor.text(name) : name]));
  }
  const lines = records.map((r) => JSON.stringify(redactor ? redactor.record(r) : r));
  const head = JSON.stringify(header);
  return `${head.slice(0, -1)},"records":[\n${lines.join(',\n')}\n]}\n`;
}

export interface ImportLimits {
  /** Characters in the whole file. */
  maxChars: number;
  maxRecords: number;
  /** Characters in one record's raw frame. */
  maxRawChars: number;
  /** Characters in any other string. */
  maxFieldChars: number;
  maxServers: number;
}

export const IMPORT_LIMITS: Readonly<ImportLimits> = {
  maxChars: 256 * 1024 * 1024,
  maxRecords: 1_000_000,
  maxRawChars: 16 * 1024 * 1024,
  maxFieldChars: 64 * 1024,
  maxServers: 1_000,
};

export type ImportResult = { ok: true; recording: Recording } | { ok: false; error: string };

class Invalid extends Error {}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const KINDS: ReadonlySet<string> = new Set(RECORD_KINDS);

/** Every value of a string union, as an object so that a value added to the union must be added here too. */
type Members<T extends string> = Readonly<Record<T, true>>;
const CLIENT_STATES: Members<ClientState> = { initialized: true, connecting: true, connected: true, reconnecting: true, closed: true, disconnected: true };
const PAGE_SOCKET_STATES: Members<PageSocketState> = { connecting: true, open: true, closing: true, closed: true };
const GAP_REASONS: Members<GapReason> = { connectionLost: true, connectionClosed: true, workerRestarted: true };
const RECOVERED_CHANGES: Members<RecoveredChange> = { appeared: true, changed: true, left: true };
const TOKEN_INVALID_STATES: Members<TokenInvalidState> = { revoked: true, expired: true };
const TOKEN_SOURCES: Members<TokenSource> = { subscription: true, connection: true };
const FANOUT_WRITES: Members<FanoutWrite> = { create: true, update: true, natural: true };
const FANOUT_VERDICTS: Members<FanoutVerdict> = { delivered: true, late: true, missing: true, down: true };

/** Removes the keys whose value is undefined, so that an absent optional field stays absent. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value)) if ((value as Record<string, unknown>)[key] === undefined) delete (value as Record<string, unknown>)[key];
  return value;
}

/** One reader per source type: a source type without one does not compile. */
const SOURCE_READERS: { readonly [T in RecordSourceType]: (read: Reader, s: Json, path: string) => Extract<RecordSource, { type: T }> } = {
  extension: () => ({ type: 'extension' }),
  server: (read, s, p) => ({ type: 'server', serverId: read.string(s, 'serverId', p) }),
  document: (read, s, p) => ({ type: 'document', frameId: read.integer(s, 'frameId', p) }),
  pageSocket: (read, s, p) => ({ type: 'pageSocket', socketId: read.string(s, 'socketId', p), frameId: read.integer(s, 'frameId', p) }),
};

/** One reader per marker type: a marker type without one does not compile. */
const MARKER_READERS: { readonly [T in MarkerType]: (read: Reader, m: Json, path: string) => MarkerOf<T> } = {
  connectionState: (read, m, p) =>
    defined({
      type: 'connectionState',
      state: read.member(m, 'state', p, CLIENT_STATES),
      attempt: read.integer(m, 'attempt', p),
      delayMs: read.optionalNumber(m, 'delayMs', p),
      nextRetryAt: read.optionalNumber(m, 'nextRetryAt', p),
      code: read.optionalNumber(m, 'code', p),
      reason: read.optionalString(m, 'reason', p),
    }),
  serverEdited: (read, m, p) => ({ type: 'serverEdited', serverURL: read.string(m, 'serverURL', p) }),
  tokenSwitched: (read, m, p) =>
    defined({
      type: 'tokenSwitched',
      subscriptionId: read.string(m, 'subscriptionId', p),
      anonymous: read.boolean(m, 'anonymous', p),
      tokenLabel: read.optionalString(m, 'tokenLabel', p),
    }),
  noAnswer: (read, m, p) => ({ type: 'noAnswer', timeoutMs: read.number(m, 'timeoutMs', p) }),
  gap: (read, m, p) =>
    defined({
      type: 'gap',
      from: read.number(m, 'from', p),
      to: read.number(m, 'to', p),
      reason: m.reason === undefined ? undefined : read.member(m, 'reason', p, GAP_REASONS),
    }),
  socketError: (read, m, p) => defined({ type: 'socketError', message: read.optionalString(m, 'message', p) }),
  restored: (read, m, p) => ({
    type: 'restored',
    servers: read.array(m, 'servers', p, read.maxServers).map((value, i) => {
      const server = read.object(value, `${p}.servers[${i}]`);
      return { id: read.string(server, 'id', `${p}.servers[${i}]`), serverURL: read.string(server, 'serverURL', `${p}.servers[${i}]`) };
    }),
    subscriptions: read.integer(m, 'subscriptions', p),
  }),
  invalidServer: (read, m, p) => ({ type: 'invalidServer', serverURL: read.string(m, 'serverURL', p), error: read.string(m, 'error', p) }),
  invalidQuery: (read, m, p) => ({
    type: 'invalidQuery',
    error: read.string(m, 'error', p),
    className: read.string(m, 'className', p),
    where: read.string(m, 'where', p),
    keys: read.string(m, 'keys', p),
    watch: read.string(m, 'watch', p),
  }),
  backlogDropped: (read, m, p) => ({ type: 'backlogDropped', count: read.integer(m, 'count', p) }),
  notDelivered: (read, m, p) => defined({ type: 'notDelivered', count: read.integer(m, 'count', p), seq: read.optionalNumber(m, 'seq', p) }),
  navigated: (read, m, p) => ({ type: 'navigated', url: read.string(m, 'url', p), generation: read.integer(m, 'generation', p) }),
  relayDropped: (read, m, p) => ({ type: 'relayDropped', count: read.integer(m, 'count', p) }),
  pageNotKept: (read, m, p) => ({ type: 'pageNotKept', count: read.integer(m, 'count', p) }),
  pageSocketCreated: (read, m, p) => ({ type: 'pageSocketCreated', url: read.string(m, 'url', p) }),
  pageSocketOpen: (read, m, p) => ({ type: 'pageSocketOpen', url: read.string(m, 'url', p) }),
  pageSocketClosed: (read, m, p) => ({
    type: 'pageSocketClosed',
    code: read.number(m, 'code', p),
    reason: read.string(m, 'reason', p),
    wasClean: read.boolean(m, 'wasClean', p),
  }),
  recovered: (read, m, p) =>
    defined({
      type: 'recovered',
      change: read.member(m, 'change', p, RECOVERED_CHANGES),
      staleSince: read.number(m, 'staleSince', p),
      fields: m.fields === undefined ? undefined : read.array(m, 'fields', p, 1000).map((_, i) => read.string(m.fields as Json, String(i), `${p}.fields`)),
    }),
  tokenInvalid: (read, m, p) =>
    defined({
      type: 'tokenInvalid',
      state: read.member(m, 'state', p, TOKEN_INVALID_STATES),
      applies: read.member(m, 'applies', p, TOKEN_SOURCES),
      tokenLabel: read.optionalString(m, 'tokenLabel', p),
      username: read.optionalString(m, 'username', p),
      userId: read.optionalString(m, 'userId', p),
      expiresAt: read.optionalString(m, 'expiresAt', p),
      detail: read.optionalString(m, 'detail', p),
    }),
  fanoutCheck: (read, m, p) =>
    defined({
      type: 'fanoutCheck',
      fleet: read.string(m, 'fleet', p),
      className: read.string(m, 'className', p),
      write: read.member(m, 'write', p, FANOUT_WRITES),
      objectId: read.optionalString(m, 'objectId', p),
      waitMs: read.number(m, 'waitMs', p),
      lateMs: read.number(m, 'lateMs', p),
      nodes: read.array(m, 'nodes', p, read.maxServers).map((value, i) => {
        const node = read.object(value, `${p}.nodes[${i}]`);
        const at = `${p}.nodes[${i}]`;
        return defined({
          serverId: read.string(node, 'serverId', at),
          node: read.string(node, 'node', at),
          verdict: read.member(node, 'verdict', at, FANOUT_VERDICTS),
          latencyMs: read.optionalNumber(node, 'latencyMs', at),
          behindFastestMs: read.optionalNumber(node, 'behindFastestMs', at),
          why: read.optionalString(node, 'why', at),
        });
      }),
      error: read.optionalString(m, 'error', p),
    }),
  resumed: (read, m, p) =>
    defined({
      type: 'resumed',
      url: read.string(m, 'url', p),
      state: read.member(m, 'state', p, PAGE_SOCKET_STATES),
      subscriptions: read.integer(m, 'subscriptions', p),
      applicationId: read.optionalString(m, 'applicationId', p),
      clientId: read.optionalString(m, 'clientId', p),
    }),
};

class Reader {
  constructor(private readonly limits: ImportLimits) {}

  get maxServers(): number {
    return this.limits.maxServers;
  }

  object(value: unknown, path: string): Json {
    if (!isObject(value)) throw new Invalid(`${path}: must be an object`);
    return value;
  }

  string(object: Json, key: string, path: string, max = this.limits.maxFieldChars): string {
    const value = object[key];
    if (typeof value !== 'string') throw new Invalid(`${path}.${key}: must be a string`);
    if (value.length > max) throw new Invalid(`${path}.${key}: longer than ${max} characters`);
    return value;
  }

  optionalString(object: Json, key: string, path: string, max?: number): string | undefined {
    return object[key] === undefined ? undefined : this.string(object, key, path, max);
  }

  boolean(object: Json, key: string, path: string): boolean {
    const value = object[key];
    if (typeof value !== 'boolean') throw new Invalid(`${path}.${key}: must be true or false`);
    return value;
  }

  member<T extends string>(object: Json, key: string, path: string, members: Members<T>): T {
    const value = object[key];
    if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(members, value)) {
      throw new Invalid(`${path}.${key}: must be one of ${Object.keys(members).join(', ')}`);
    }
    return value as T;
  }

  number(object: Json, key: string, path: string): number {
    const value = object[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Invalid(`${path}.${key}: must be a finite number`);
    return value;
  }

  optionalNumber(object: Json, key: string, path: string): number | undefined {
    return object[key] === undefined ? undefined : this.number(object, key, path);
  }

  integer(object: Json, key: string, path: string): number {
    const value = this.number(object, key, path);
    if (!Number.isSafeInteger(value) || value < 0) throw new Invalid(`${path}.${key}: must be a whole number ≥ 0`);
    return value;
  }

  array(object: Json, key: string, path: string, max: number): unknown[] {
    const value = object[key];
    if (!Array.isArray(value)) throw new Invalid(`${path ? `${path}.` : ''}${key}: must be an array`);
    if (value.length > max) throw new Invalid(`too many ${key} (${value.length}; the limit is ${max})`);
    return value;
  }

  source(value: unknown, path: string): RecordSource {
    const source = this.object(value, path);
    const type = source.type;
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(SOURCE_READERS, type)) {
      throw new Invalid(`${path}.type: must be ${Object.keys(SOURCE_READERS).map((t) => `"${t}"`).join(', ')}`);
    }
    return SOURCE_READERS[type as RecordSourceType](this, source, path);
  }

  v1Source(value: unknown, path: string): V1Source {
    const source = this.object(value, path);
    if (source.type === 'connection') return { type: 'connection', serverId: this.string(source, 'serverId', path) };
    if (source.type === 'page') {
      return { type: 'page', socketId: this.string(source, 'socketId', path), frameId: this.integer(source, 'frameId', path) };
    }
    throw new Invalid(`${path}.type: must be "connection" or "page"`);
  }

  marker(value: unknown, path: string): Marker {
    const m = this.object(value, path);
    const type = m.type;
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(MARKER_READERS, type)) {
      throw new Invalid(`${path}.type: unknown marker ${JSON.stringify(type)}`);
    }
    return MARKER_READERS[type as MarkerType](this, m, path);
  }

  /** A record with exactly the known fields; unknown fields are dropped, never passed through. */
  record(value: unknown, path: string): TimelineRecord {
    const r = this.object(value, path);
    const record: TimelineRecord = this.fields(r, path, this.source(r.source, `${path}.source`));
    if (r.marker !== undefined) record.marker = this.marker(r.marker, `${path}.marker`);
    return record;
  }

  /** A version 1 record, converted. */
  v1Record(value: unknown, path: string): TimelineRecord {
    const r = this.object(value, path);
    return upgradeV1Record(this.fields(r, path, this.v1Source(r.source, `${path}.source`)));
  }

  /** The fields both versions share, in a record of the given source. */
  private fields<S>(r: Json, path: string, source: S): Omit<TimelineRecord, 'source' | 'marker'> & { source: S } {
    const kind = r.kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) throw new Invalid(`${path}.kind: unknown kind ${JSON.stringify(kind)}`);
    const record: Omit<TimelineRecord, 'source' | 'marker'> & { source: S } = {
      seq: this.integer(r, 'seq', path),
      epoch: this.string(r, 'epoch', path),
      time: this.number(r, 'time', path),
      source,
      kind: kind as RecordKind,
      label: this.string(r, 'label', path),
      summary: this.string(r, 'summary', path),
    };
    const subscriptionKey = this.optionalString(r, 'subscriptionKey', path);
    if (subscriptionKey !== undefined) record.subscriptionKey = subscriptionKey;
    if (r.requestId !== undefined) record.requestId = this.number(r, 'requestId', path);
    const className = this.optionalString(r, 'className', path);
    if (className !== undefined) record.className = className;
    const objectId = this.optionalString(r, 'objectId', path);
    if (objectId !== undefined) record.objectId = objectId;
    const raw = this.optionalString(r, 'raw', path, this.limits.maxRawChars);
    if (raw !== undefined) record.raw = raw;
    if (r.rawLength !== undefined) record.rawLength = this.integer(r, 'rawLength', path);
    if (r.injected !== undefined) {
      if (r.injected !== true) throw new Invalid(`${path}.injected: must be true when present`);
      record.injected = true;
    }
    return record;
  }

  server(value: unknown, path: string): ServerSpec {
    const s = this.object(value, path);
    const spec: ServerSpec = { serverURL: this.string(s, 'serverURL', path), applicationId: this.string(s, 'applicationId', path) };
    for (const key of ['javascriptKey', 'masterKey', 'sessionToken', 'label', 'restURL'] as const) {
      const text = this.optionalString(s, key, path);
      if (text !== undefined) spec[key] = text;
    }
    return spec;
  }
}

function checkVersion(version: unknown): 1 | typeof RECORDING_VERSION {
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new Invalid(`invalid recording version ${JSON.stringify(version) ?? 'undefined'}`);
  }
  if (version > RECORDING_VERSION) {
    throw new Invalid(
      `this recording has format version ${version}, made by a newer LiveQuery DevTools; this one reads version ${RECORDING_VERSION}. Update the extension to open it.`,
    );
  }
  if (version === 1) return 1;
  if (version < RECORDING_VERSION) throw new Invalid(`invalid recording version ${version}`);
  return RECORDING_VERSION;
}

/** Reads a recording file; never throws, and refuses anything malformed with the exact reason. */
export function importRecording(text: unknown, limits: Partial<ImportLimits> = {}): ImportResult {
  const max: ImportLimits = { ...IMPORT_LIMITS, ...limits };
  try {
    if (typeof text !== 'string') throw new Invalid('expected the text of a recording file');
    if (text.length > max.maxChars) {
      throw new Invalid(`the file is too large (${text.length} characters; the limit is ${max.maxChars})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Invalid('the file is not valid JSON');
    }
    if (!isObject(json) || json.format !== RECORDING_FORMAT) {
      throw new Invalid(`not a LiveQuery DevTools recording (no "format": "${RECORDING_FORMAT}")`);
    }
    const version = checkVersion(json.version);
    const read = new Reader(max);
    const readRecord = version === 1 ? read.v1Record.bind(read) : read.record.bind(read);
    const exportedAt = read.string(json, 'exportedAt', 'recording');
    if (Number.isNaN(Date.parse(exportedAt))) throw new Invalid('recording.exportedAt: must be an ISO 8601 date');
    const app = json.app === undefined ? { name: APP_NAME, version: '' } : read.object(json.app, 'recording.app');
    const recording: Recording = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      exportedAt,
      app: { name: read.string(app, 'name', 'recording.app'), version: read.string(app, 'version', 'recording.app') },
      redacted: false,
      records: read.array(json, 'records', '', max.maxRecords).map((r, i) => readRecord(r, `records[${i}]`)),
    };
    if (json.redacted !== undefined) {
      if (typeof json.redacted !== 'boolean') throw new Invalid('recording.redacted: must be true or false');
      recording.redacted = json.redacted;
    }
    const filter = read.optionalString(json, 'filter', 'recording');
    if (filter !== undefined) recording.filter = filter;
    if (json.servers !== undefined) {
      recording.servers = read.array(json, 'servers', '', max.maxServers).map((s, i) => read.server(s, `servers[${i}]`));
    }
    if (json.sources !== undefined) {
      const sources = read.object(json.sources, 'recording.sources');
      const keys = Object.keys(sources);
      if (keys.length > max.maxServers * 10) throw new Invalid(`too many sources (${keys.length})`);
      recording.sources = Object.fromEntries(
        keys.map((key) => [version === 1 ? upgradeV1SourceKey(key) : key, read.string(sources, key, 'recording.sources')]),
      );
    }
    return { ok: true, recording };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.message };
    return { ok: false, error: `could not read the recording: ${error instanceof Error ? error.message : String(error)}` };
  }
}

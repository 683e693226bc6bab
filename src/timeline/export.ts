// The recording file: writes timeline records (redacted by default) and reads such a file back, validating it strictly.

import { RECORD_KINDS, type RecordKind, type RecordSource, type TimelineRecord } from './record.js';
import type { ServerSpec } from '../views.js';
import { collectSecrets, Redactor } from './redact.js';

export { exportHar, type HarOptions } from './har.js';

export const RECORDING_FORMAT = 'livequery-devtools-recording';
export const RECORDING_VERSION = 1;
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
  /** Display names of the sources, by source key (`connection:<serverId>`, `page:<socketId>`). */
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

class Reader {
  constructor(private readonly limits: ImportLimits) {}

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

  number(object: Json, key: string, path: string): number {
    const value = object[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Invalid(`${path}.${key}: must be a finite number`);
    return value;
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
    if (source.type === 'connection') return { type: 'connection', serverId: this.string(source, 'serverId', path) };
    if (source.type === 'page') {
      return { type: 'page', socketId: this.string(source, 'socketId', path), frameId: this.integer(source, 'frameId', path) };
    }
    throw new Invalid(`${path}.type: must be "connection" or "page"`);
  }

  /** A record with exactly the known fields; unknown fields are dropped, never passed through. */
  record(value: unknown, path: string): TimelineRecord {
    const r = this.object(value, path);
    const kind = r.kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) throw new Invalid(`${path}.kind: unknown kind ${JSON.stringify(kind)}`);
    const record: TimelineRecord = {
      seq: this.integer(r, 'seq', path),
      epoch: this.string(r, 'epoch', path),
      time: this.number(r, 'time', path),
      source: this.source(r.source, `${path}.source`),
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
    return record;
  }

  server(value: unknown, path: string): ServerSpec {
    const s = this.object(value, path);
    const spec: ServerSpec = { serverURL: this.string(s, 'serverURL', path), applicationId: this.string(s, 'applicationId', path) };
    for (const key of ['javascriptKey', 'masterKey', 'sessionToken', 'label'] as const) {
      const text = this.optionalString(s, key, path);
      if (text !== undefined) spec[key] = text;
    }
    return spec;
  }
}

function checkVersion(version: unknown): void {
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new Invalid(`invalid recording version ${JSON.stringify(version) ?? 'undefined'}`);
  }
  if (version > RECORDING_VERSION) {
    throw new Invalid(
      `this recording has format version ${version}, made by a newer LiveQuery DevTools; this one reads version ${RECORDING_VERSION}. Update the extension to open it.`,
    );
  }
  if (version < RECORDING_VERSION) throw new Invalid(`invalid recording version ${version}`);
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
    checkVersion(json.version);
    const read = new Reader(max);
    const exportedAt = read.string(json, 'exportedAt', 'recording');
    if (Number.isNaN(Date.parse(exportedAt))) throw new Invalid('recording.exportedAt: must be an ISO 8601 date');
    const app = json.app === undefined ? { name: APP_NAME, version: '' } : read.object(json.app, 'recording.app');
    const recording: Recording = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      exportedAt,
      app: { name: read.string(app, 'name', 'recording.app'), version: read.string(app, 'version', 'recording.app') },
      redacted: false,
      records: read.array(json, 'records', '', max.maxRecords).map((r, i) => read.record(r, `records[${i}]`)),
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
      recording.sources = Object.fromEntries(keys.map((key) => [key, read.string(sources, key, 'recording.sources')]));
    }
    return { ok: true, recording };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.message };
    return { ok: false, error: `could not read the recording: ${error instanceof Error ? error.message : String(error)}` };
  }
}

// The linter in the panel: findings for a query as it is typed and for each live subscription, with what is known of
// the class's fields: its schema (read once per server and class, with the server entry's master key), else the
// fields seen in recorded events, else nothing — and the findings say which.

import { signal } from '@preact/signals';
import { fieldsFromRecords } from '../../src/lint/known-fields.js';
import type { KnownFields, LintFinding, LintSeverity } from '../../src/lint/index.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { PageSocketView, PageSubscriptionView, ServerView, SubscriptionView } from '../../src/views.js';
import { restURLFor, restURLOf, type RestClient, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import { lazyModule } from '../lazy-module.js';
import { sameEndpoint, socketRoot } from './query-sources.js';

/** Events of a class read for its field names; later ones are not parsed (the names rarely change, parsing costs). */
export const FIELD_SAMPLE_PER_CLASS = 200;

const EVENT_KINDS: ReadonlySet<string> = new Set(['create', 'update', 'enter', 'leave', 'delete']);

type SchemaState = { status: 'loading' } | { status: 'loaded'; fields: KnownFields } | { status: 'failed'; error: string };

export interface LintSubject {
  query: { className: string; where?: unknown; keys?: unknown; watch?: unknown };
  sessionToken?: string | null;
  connectionToken?: string | null;
  /** The server's REST root and keys, with its master key when the panel knows one (only then is the schema read). */
  creds?: RestCredentials;
}

export interface LintResult {
  findings: LintFinding[];
  /** The most serious severity among the findings, null when there are none. */
  worst: LintSeverity | null;
  /** Where the field names came from, in words ("from the schema of Message"). */
  fieldsNote: string;
  /** Set while the rules' chunk is on its way (no findings yet, which is not "clean"), or why it failed to load. */
  rulesNotReady?: { state: 'loading' | 'failed'; message: string };
}

/** A panel subscription: its own token, the server's connect token, the server entry's keys. */
export function panelLintSubject(server: ServerView, sub: SubscriptionView): LintSubject {
  const { spec } = server;
  const subject: LintSubject = {
    query: sub.query,
    creds: { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, masterKey: spec.masterKey },
  };
  if (sub.sessionToken !== undefined) subject.sessionToken = sub.sessionToken;
  if (spec.sessionToken !== undefined) subject.connectionToken = spec.sessionToken;
  return subject;
}

/**
 * A page subscription, with the tokens its frames carried (null when they carried `null`). The schema is read with the
 * master key of a server entry with the same LiveQuery URL and application id, else with one the page itself sent.
 */
export function pageLintSubject(socket: PageSocketView, sub: PageSubscriptionView, servers: readonly ServerView[]): LintSubject {
  const subject: LintSubject = { query: sub.query };
  if (sub.nullSessionToken) subject.sessionToken = null;
  else if (sub.sessionToken !== undefined) subject.sessionToken = sub.sessionToken;
  if (socket.nullSessionToken) subject.connectionToken = null;
  else if (socket.sessionToken !== undefined) subject.connectionToken = socket.sessionToken;
  if (!socket.applicationId) return subject;
  const root = socketRoot(socket.url);
  const server = servers.find((s) => sameEndpoint(s.spec.serverURL, root) && s.spec.applicationId === socket.applicationId);
  subject.creds = server?.spec.masterKey
    ? { restURL: restURLOf(server.spec), applicationId: socket.applicationId, javascriptKey: server.spec.javascriptKey, masterKey: server.spec.masterKey }
    : { restURL: server ? restURLOf(server.spec) : restURLFor(root), applicationId: socket.applicationId, javascriptKey: socket.javascriptKey, masterKey: socket.masterKey };
  return subject;
}

type LintRules = typeof import('../../src/lint/lint.js');

export interface LintDeps {
  rest: Pick<RestClient, 'schema'>;
  /** Where the rules come from (tests give a failing one); by default their own chunk. */
  importRules?: () => Promise<LintRules>;
}

/** The schema as read, plus fields recorded events showed since (a write may add a field after the schema was read). */
function withRecorded(schema: KnownFields, seen: KnownFields | undefined): KnownFields {
  if (schema.source !== 'schema' || seen?.source !== 'records') return schema;
  const added = Object.keys(seen.types).filter((name) => !Object.prototype.hasOwnProperty.call(schema.types, name));
  if (!added.length) return schema;
  const types = { ...schema.types };
  for (const name of added) types[name] = seen.types[name];
  return { source: 'schema', types };
}

const schemaKey = (creds: RestCredentials, className: string) => `${creds.restURL}\n${creds.applicationId}\n${className}`;

export function createLintStore({ rest, importRules = () => import('../../src/lint/lint.js') }: LintDeps) {
  // The rules are a chunk of their own, loaded when something is first linted: the first paint does not wait for them.
  const rules = lazyModule('the lint rules', importRules);
  const schemas = signal<ReadonlyMap<string, SchemaState>>(new Map());
  /** Per class: the recorded objects sampled for field names. */
  const samples = new Map<string, unknown[]>();
  const seenFields = signal<ReadonlyMap<string, KnownFields>>(new Map());

  function setSchema(key: string, state: SchemaState): void {
    const next = new Map(schemas.peek());
    next.set(key, state);
    schemas.value = next;
  }

  /** Reads the class's schema once per server and class; needs the master key (nothing to do without one). */
  function ensureSchema(creds: RestCredentials | undefined, className: string): void {
    if (!creds?.masterKey || !className) return;
    const key = schemaKey(creds, className);
    if (schemas.peek().has(key)) return;
    setSchema(key, { status: 'loading' });
    rest.schema(creds, className).then(
      (fields) => setSchema(key, { status: 'loaded', fields }),
      (error: Error) => setSchema(key, { status: 'failed', error: error.message }),
    );
  }

  /** Notes the field names of recorded event objects (each class's first FIELD_SAMPLE_PER_CLASS events). */
  function receive(records: readonly TimelineRecord[]): void {
    let changed: Set<string> | undefined;
    for (const record of records) {
      if (!EVENT_KINDS.has(record.kind) || !record.className || !record.raw || record.rawLength !== undefined) continue;
      const sample = samples.get(record.className) ?? [];
      if (sample.length >= FIELD_SAMPLE_PER_CLASS) continue;
      let frame: unknown;
      try {
        frame = JSON.parse(record.raw);
      } catch {
        continue;
      }
      const object = (frame as { object?: unknown } | null)?.object;
      if (typeof object !== 'object' || object === null) continue;
      sample.push(object);
      samples.set(record.className, sample);
      (changed ??= new Set()).add(record.className);
    }
    if (!changed) return;
    const next = new Map(seenFields.peek());
    for (const className of changed) next.set(className, fieldsFromRecords(samples.get(className)!));
    seenFields.value = next;
  }

  /** What is known of the class's fields for this subject, and how to say where it came from. */
  function knowledge(subject: LintSubject): { fields?: KnownFields; note: string } {
    const { className } = subject.query;
    const seen = seenFields.value.get(className);
    const fromRecords = seen?.source === 'records' && seen.objects > 0 ? seen : undefined;
    const recordsNote = fromRecords ? `field names seen in ${fromRecords.objects} recorded ${className} object${fromRecords.objects === 1 ? '' : 's'}` : 'no field names (none recorded yet)';
    if (!subject.creds?.masterKey) return { fields: fromRecords, note: `Linted with ${recordsNote}: no master key is known for this server to read the schema.` };
    const state = schemas.value.get(schemaKey(subject.creds, className));
    if (state?.status === 'loaded') {
      if (state.fields.source === 'no-class') return { fields: state.fields, note: `The server has no class ${className} (its schema says so).` };
      return { fields: withRecorded(state.fields, fromRecords), note: `Linted with the schema of ${className} (read with the master key).` };
    }
    if (state?.status === 'failed') return { fields: fromRecords, note: `The schema could not be read (${state.error}); linted with ${recordsNote}.` };
    return { fields: fromRecords, note: `Reading the schema of ${className}…; linted with ${recordsNote} for now.` };
  }

  return {
    ensureSchema,
    receive,
    /** Resolves once the rules have arrived (rejects with the message when their chunk failed to load). */
    rulesLoaded: (): Promise<void> => rules.load().then(() => undefined),
    /** The findings for a subject; reading it subscribes the caller to schema and field-name changes. */
    lint(subject: LintSubject): LintResult {
      const { fields, note } = knowledge(subject);
      const linter = rules.get();
      if (!linter) {
        const state = rules.state.value;
        return {
          findings: [],
          worst: null,
          fieldsNote: note,
          rulesNotReady: state.status === 'failed' ? { state: 'failed', message: state.message } : { state: 'loading', message: 'Loading the lint rules…' },
        };
      }
      const findings = linter.lintSubscription({
        query: subject.query,
        ...(subject.sessionToken !== undefined ? { sessionToken: subject.sessionToken } : {}),
        ...(subject.connectionToken !== undefined ? { connectionToken: subject.connectionToken } : {}),
        ...(fields ? { fields } : {}),
      });
      return { findings, worst: linter.worstSeverity(findings), fieldsNote: note };
    },
  };
}

export type LintStore = ReturnType<typeof createLintStore>;

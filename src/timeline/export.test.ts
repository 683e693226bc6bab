import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportRecording, importRecording, IMPORT_LIMITS, RECORDING_FORMAT, type Recording } from './export.js';
import type { TimelineRecord } from './record.js';
import type { ServerSpec } from '../views.js';
import { REDACTED } from './redact.js';
import { recordFactory } from './test-records.js';

const SECRETS = {
  token: 'r:0123456789abcdef0123456789abcdef',
  legacyToken: 'legacyTokenABCDEFGH123',
  subToken: 'r:fedcba9876543210fedcba9876543210',
  jsKey: 'js-key-0123456789',
  masterKey: 'master-key-abcdefgh',
  restKey: 'rest-key-XYZ12345',
  clientKey: 'client-key-QWERTY99',
  windowsKey: 'windows-key-ASDFG77',
  serverToken: 'server-token-LMNOP444',
};

const EXPORTED_AT = Date.UTC(2025, 4, 1, 10, 0, 0);

const { rec, reset } = recordFactory();

const page = { type: 'page', socketId: 'sock-1', frameId: 0 } as const;

function sampleRecords(): TimelineRecord[] {
  reset();
  return [
    rec({ kind: 'connection', label: 'connecting', raw: JSON.stringify({ serverURL: 'wss://example.com/parse' }) }),
    rec({
      kind: 'sent',
      label: 'connect',
      summary: 'applicationId myApp',
      raw: JSON.stringify({
        op: 'connect',
        applicationId: 'myApp',
        javascriptKey: SECRETS.jsKey,
        masterKey: SECRETS.masterKey,
        clientKey: SECRETS.clientKey,
        windowsKey: SECRETS.windowsKey,
        restAPIKey: SECRETS.restKey,
        sessionToken: SECRETS.token,
        installationId: 'inst-1',
      }),
    }),
    rec({ kind: 'received', label: 'connected', summary: 'clientId c1', raw: '{"op":"connected","clientId":"c1"}' }),
    rec({
      kind: 'sent',
      label: 'subscribe',
      requestId: 1,
      className: '_Session',
      subscriptionKey: 'sub-1',
      summary: '#1 _Session where {} (session token)',
      raw: JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: '_Session', where: {} }, sessionToken: SECRETS.subToken }),
    }),
    rec({
      kind: 'create',
      requestId: 1,
      subscriptionKey: 'sub-1',
      className: '_Session',
      objectId: 's1',
      raw: JSON.stringify({ op: 'create', clientId: 'c1', requestId: 1, object: { className: '_Session', objectId: 's1', sessionToken: SECRETS.legacyToken } }),
    }),
    rec({
      kind: 'error',
      label: 'error 209',
      summary: `Invalid session token ${SECRETS.legacyToken}`,
      raw: JSON.stringify({ op: 'error', error: `Invalid session token ${SECRETS.legacyToken}`, code: 209, reconnect: false, requestId: 1 }),
    }),
    rec({ kind: 'error', label: 'socket error', summary: 'Cannot reach', raw: JSON.stringify({ message: 'refused' }) }),
    rec({
      kind: 'connection',
      label: 'details',
      raw: JSON.stringify({ headers: { 'X-Parse-REST-API-Key': SECRETS.restKey, 'X-Parse-Session-Token': SECRETS.token } }),
    }),
    rec({
      kind: 'sent',
      label: 'connect',
      source: page,
      raw: `{"op":"connect","applicationId":"pageApp","sessionToken":"${SECRETS.legacyToken}","javascriptKey":"${SECRETS.jsKey}`,
    }),
    rec({ kind: 'update', source: page, subscriptionKey: 'sock-1:1', requestId: 1, raw: '{"op":"update","requestId":1,"object":{"className":"A","objectId":"x","n":1}}', objectId: 'x', className: 'A' }),
    rec({ kind: 'error', label: 'invalid frame', source: page, summary: 'frame is not valid JSON: hello', raw: 'hello' }),
    rec({ kind: 'gap', label: 'possible gap', subscriptionKey: 'sub-1', raw: JSON.stringify({ from: 1, to: 2 }) }),
    rec({ kind: 'received', label: 'subscribed', requestId: 2, raw: '{"op":"subscribed","clientId":"c1","requestId":2}' }),
  ];
}

const servers: ServerSpec[] = [
  {
    serverURL: 'wss://example.com/parse',
    applicationId: 'myApp',
    javascriptKey: SECRETS.jsKey,
    masterKey: SECRETS.masterKey,
    sessionToken: SECRETS.serverToken,
    label: 'prod',
  },
];

function assertNoSecrets(text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `${name} leaked`);
  assert.ok(!/r:[0-9a-f]{16,}/i.test(text), 'a session token leaked');
}

function imported(text: string): Recording {
  const result = importRecording(text);
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.recording;
}

describe('exportRecording / importRecording', () => {
  it('round-trips records, servers and metadata exactly without redaction', () => {
    const records = sampleRecords();
    const text = exportRecording(records, { exportedAt: EXPORTED_AT, appVersion: '1.2.3', redact: false, servers, filter: 'kinds: create' });
    const recording = imported(text);
    assert.deepEqual(recording, {
      format: RECORDING_FORMAT,
      version: 1,
      exportedAt: '2025-05-01T10:00:00.000Z',
      app: { name: 'LiveQuery DevTools', version: '1.2.3' },
      redacted: false,
      filter: 'kinds: create',
      servers,
      records,
    });
  });

  it('writes one JSON document with a header and one record per line', () => {
    const records = sampleRecords().slice(0, 2);
    const text = exportRecording(records, { exportedAt: new Date(EXPORTED_AT), appVersion: '1' , redact: false });
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      '{"format":"livequery-devtools-recording","version":1,"exportedAt":"2025-05-01T10:00:00.000Z","app":{"name":"LiveQuery DevTools","version":"1"},"redacted":false,"records":[',
    );
    assert.equal(lines[1], `${JSON.stringify(records[0])},`);
    assert.equal(lines[2], JSON.stringify(records[1]));
    assert.equal(lines[3], ']}');
    assert.deepEqual(imported(exportRecording([], { exportedAt: EXPORTED_AT, appVersion: '1' })).records, []);
  });

  it('redacts by default: no secret survives anywhere, frames stay valid JSON, the rest is unchanged', () => {
    const records = sampleRecords();
    const text = exportRecording(records, { exportedAt: EXPORTED_AT, appVersion: '1', servers, filter: `token ${SECRETS.token}` });
    assertNoSecrets(text);
    const recording = imported(text);
    assert.equal(recording.redacted, true);
    assert.equal(recording.filter, `token ${REDACTED}`);
    assert.deepEqual(recording.servers, [
      { serverURL: 'wss://example.com/parse', applicationId: 'myApp', javascriptKey: REDACTED, masterKey: REDACTED, sessionToken: REDACTED, label: 'prod' },
    ]);
    assert.equal(recording.records.length, records.length);
    recording.records.forEach((r, i) => {
      const original = records[i]!;
      // Modulo redaction of raw and summary, every record is the same.
      assert.deepEqual({ ...r, raw: undefined, summary: undefined }, { ...original, raw: undefined, summary: undefined });
      if (original.raw && original.raw.startsWith('{') && original.raw.endsWith('}')) JSON.parse(r.raw!);
    });
    assert.deepEqual(JSON.parse(recording.records[1]!.raw!), {
      op: 'connect',
      applicationId: 'myApp',
      javascriptKey: REDACTED,
      masterKey: REDACTED,
      clientKey: REDACTED,
      windowsKey: REDACTED,
      restAPIKey: REDACTED,
      sessionToken: REDACTED,
      installationId: 'inst-1',
    });
    assert.equal(recording.records[5]!.summary, `Invalid session token ${REDACTED}`);
    assert.equal(recording.records[8]!.raw, `{"op":"connect","applicationId":"pageApp","sessionToken":"${REDACTED}","javascriptKey":"${REDACTED}"`);
    // Frames without secrets are kept byte for byte.
    assert.equal(recording.records[9]!.raw, records[9]!.raw);
    assert.equal(recording.records[10]!.raw, 'hello');
  });

  it('also removes extra secrets the caller knows of', () => {
    const records = [rec({ kind: 'received', raw: '{"op":"x","note":"hello extra-secret-1234"}', summary: 'extra-secret-1234' })];
    const text = exportRecording(records, { exportedAt: EXPORTED_AT, appVersion: '1', secrets: ['extra-secret-1234'] });
    assert.ok(!text.includes('extra-secret-1234'));
  });

  it('drops unknown fields of records and keeps optional ones', () => {
    const text = JSON.stringify({
      format: RECORDING_FORMAT,
      version: 1,
      exportedAt: '2025-05-01T10:00:00.000Z',
      app: { name: 'x', version: '1' },
      records: [
        JSON.parse(
          '{"__proto__":{"polluted":true},"seq":1,"epoch":"e","time":1.5,"source":{"type":"page","socketId":"s","frameId":2,"extra":1},"kind":"update","label":"l","summary":"s","requestId":3,"className":"A","objectId":"o","subscriptionKey":"k","raw":"{}","future":"x"}',
        ) as unknown,
      ],
    });
    const recording = imported(text);
    assert.deepEqual(recording.records, [
      { seq: 1, epoch: 'e', time: 1.5, source: { type: 'page', socketId: 's', frameId: 2 }, kind: 'update', label: 'l', summary: 's', requestId: 3, className: 'A', objectId: 'o', subscriptionKey: 'k', raw: '{}' },
    ]);
    assert.equal(recording.redacted, false);
    assert.equal(Object.getPrototypeOf(recording.records[0]), Object.prototype);
  });

  it('refuses malformed files with exact messages and never throws', () => {
    const valid = JSON.parse(exportRecording(sampleRecords().slice(0, 1), { exportedAt: EXPORTED_AT, appVersion: '1', redact: false, servers })) as Record<string, unknown>;
    const good = valid.records as Record<string, unknown>[];
    const withRecord = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, records: [{ ...good[0], ...patch }] });
    const cases: [unknown, string][] = [
      [42, 'expected the text of a recording file'],
      [undefined, 'expected the text of a recording file'],
      ['', 'the file is not valid JSON'],
      ['garbage', 'the file is not valid JSON'],
      ['{"format":', 'the file is not valid JSON'],
      ['[]', 'not a LiveQuery DevTools recording (no "format": "livequery-devtools-recording")'],
      ['null', 'not a LiveQuery DevTools recording (no "format": "livequery-devtools-recording")'],
      ['{"format":"har"}', 'not a LiveQuery DevTools recording (no "format": "livequery-devtools-recording")'],
      [JSON.stringify({ ...valid, version: 2 }), 'this recording has format version 2, made by a newer LiveQuery DevTools; this one reads version 1. Update the extension to open it.'],
      [JSON.stringify({ ...valid, version: '1' }), 'invalid recording version "1"'],
      [JSON.stringify({ ...valid, version: 0 }), 'invalid recording version 0'],
      [JSON.stringify({ ...valid, version: 1.5 }), 'invalid recording version 1.5'],
      [JSON.stringify({ ...valid, version: undefined }), 'invalid recording version undefined'],
      [JSON.stringify({ ...valid, exportedAt: 5 }), 'recording.exportedAt: must be a string'],
      [JSON.stringify({ ...valid, exportedAt: 'yesterday' }), 'recording.exportedAt: must be an ISO 8601 date'],
      [JSON.stringify({ ...valid, app: 'x' }), 'recording.app: must be an object'],
      [JSON.stringify({ ...valid, app: { name: 'x' } }), 'recording.app.version: must be a string'],
      [JSON.stringify({ ...valid, redacted: 'yes' }), 'recording.redacted: must be true or false'],
      [JSON.stringify({ ...valid, filter: 1 }), 'recording.filter: must be a string'],
      [JSON.stringify({ ...valid, records: {} }), 'records: must be an array'],
      [JSON.stringify({ ...valid, records: undefined }), 'records: must be an array'],
      [JSON.stringify({ ...valid, records: [null] }), 'records[0]: must be an object'],
      [JSON.stringify({ ...valid, records: [[]] }), 'records[0]: must be an object'],
      [withRecord({ kind: 'foo' }), 'records[0].kind: unknown kind "foo"'],
      [withRecord({ kind: undefined }), 'records[0].kind: unknown kind undefined'],
      [withRecord({ seq: -1 }), 'records[0].seq: must be a whole number ≥ 0'],
      [withRecord({ seq: 1.5 }), 'records[0].seq: must be a whole number ≥ 0'],
      [withRecord({ seq: '1' }), 'records[0].seq: must be a finite number'],
      [withRecord({ time: '1' }), 'records[0].time: must be a finite number'],
      [withRecord({ epoch: 1 }), 'records[0].epoch: must be a string'],
      [withRecord({ label: null }), 'records[0].label: must be a string'],
      [withRecord({ summary: undefined }), 'records[0].summary: must be a string'],
      [withRecord({ source: 'x' }), 'records[0].source: must be an object'],
      [withRecord({ source: { type: 'tab' } }), 'records[0].source.type: must be "connection" or "page"'],
      [withRecord({ source: { type: 'connection' } }), 'records[0].source.serverId: must be a string'],
      [withRecord({ source: { type: 'page', socketId: 's' } }), 'records[0].source.frameId: must be a finite number'],
      [withRecord({ raw: 5 }), 'records[0].raw: must be a string'],
      [withRecord({ raw: null }), 'records[0].raw: must be a string'],
      [withRecord({ requestId: '1' }), 'records[0].requestId: must be a finite number'],
      [withRecord({ className: 1 }), 'records[0].className: must be a string'],
      [withRecord({ objectId: {} }), 'records[0].objectId: must be a string'],
      [withRecord({ subscriptionKey: [] }), 'records[0].subscriptionKey: must be a string'],
      [JSON.stringify({ ...valid, servers: {} }), 'servers: must be an array'],
      [JSON.stringify({ ...valid, servers: [{ applicationId: 'a' }] }), 'servers[0].serverURL: must be a string'],
      [JSON.stringify({ ...valid, servers: [{ serverURL: 'u', applicationId: 'a', masterKey: 1 }] }), 'servers[0].masterKey: must be a string'],
    ];
    for (const [text, error] of cases) assert.deepEqual(importRecording(text), { ok: false, error }, String(text).slice(0, 120));
  });

  it('bounds sizes', () => {
    const text = exportRecording(sampleRecords().slice(0, 3), { exportedAt: EXPORTED_AT, appVersion: '1', redact: false });
    assert.deepEqual(importRecording(text, { maxChars: 100 }), {
      ok: false,
      error: `the file is too large (${text.length} characters; the limit is 100)`,
    });
    assert.deepEqual(importRecording(text, { maxRecords: 2 }), { ok: false, error: 'too many records (3; the limit is 2)' });
    assert.deepEqual(importRecording(text, { maxRawChars: 10 }), { ok: false, error: 'records[0].raw: longer than 10 characters' });
    assert.deepEqual(importRecording(text, { maxFieldChars: 5 }), { ok: false, error: 'recording.exportedAt: longer than 5 characters' });
    const longLabel = exportRecording([rec({ kind: 'gap', label: 'x'.repeat(30) })], { exportedAt: EXPORTED_AT, appVersion: '1', redact: false });
    assert.deepEqual(importRecording(longLabel, { maxFieldChars: 29 }), { ok: false, error: 'records[0].label: longer than 29 characters' });
    const withServers = exportRecording([], { exportedAt: EXPORTED_AT, appVersion: '1', servers: [...servers, ...servers] });
    assert.deepEqual(importRecording(withServers, { maxServers: 1 }), { ok: false, error: 'too many servers (2; the limit is 1)' });
    assert.ok(IMPORT_LIMITS.maxRecords >= 100_000);
  });

  it('survives pathological input', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const result = importRecording(deep);
    assert.equal(result.ok, false);
    const huge = JSON.stringify({ format: RECORDING_FORMAT, version: 1e308, exportedAt: 'x', records: [] });
    assert.equal(importRecording(huge).ok, false);
  });
});

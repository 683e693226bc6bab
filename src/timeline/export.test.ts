import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exportHar, exportRecording, importRecording, IMPORT_LIMITS, RECORDING_FORMAT, type Recording } from './export.js';
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

const page = { type: 'pageSocket', socketId: 'sock-1', frameId: 0 } as const;
const SUB = 'server:srv/sub-1';

function sampleRecords(): TimelineRecord[] {
  reset();
  return [
    rec({ kind: 'connection', label: 'connecting', marker: { type: 'connectionState', state: 'connecting', attempt: 1 } }),
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
      subscriptionKey: SUB,
      summary: '#1 _Session where {} (session token)',
      raw: JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: '_Session', where: {} }, sessionToken: SECRETS.subToken }),
    }),
    rec({
      kind: 'create',
      requestId: 1,
      subscriptionKey: SUB,
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
    rec({ kind: 'error', label: 'socket error', summary: 'Cannot reach', marker: { type: 'socketError', message: `refused ${SECRETS.token}` } }),
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
    rec({ kind: 'update', source: page, subscriptionKey: 'pageSocket:sock-1/1', requestId: 1, raw: '{"op":"update","requestId":1,"object":{"className":"A","objectId":"x","n":1}}', objectId: 'x', className: 'A' }),
    rec({ kind: 'error', label: 'invalid frame', source: page, summary: 'frame is not valid JSON: hello', raw: 'hello' }),
    rec({ kind: 'gap', label: 'possible gap', subscriptionKey: SUB, marker: { type: 'gap', from: 1, to: 2, reason: 'connectionLost' } }),
    rec({ kind: 'received', label: 'subscribed', requestId: 2, raw: '{"op":"subscribed","clientId":"c1","requestId":2}' }),
    rec({
      kind: 'connection',
      label: 'edited',
      marker: { type: 'serverEdited', serverURL: `wss://example.com/parse?sessionToken=${SECRETS.serverToken}` },
    }),
    rec({ kind: 'connection', label: 'navigated', source: { type: 'document', frameId: 0 }, marker: { type: 'navigated', url: 'http://app.test/', generation: 2 } }),
    rec({
      kind: 'connection',
      label: 'restored',
      source: { type: 'extension' },
      marker: { type: 'restored', servers: [{ id: 'srv', serverURL: 'wss://example.com/parse' }], subscriptions: 1 },
    }),
    rec({
      kind: 'connection',
      label: 'resumed',
      source: page,
      marker: { type: 'resumed', url: 'wss://app.test/parse', state: 'open', subscriptions: 0, clientId: 'k1' },
    }),
    rec({
      kind: 'gap',
      label: 'recovered: changed',
      subscriptionKey: SUB,
      className: 'Game',
      objectId: 'g1',
      marker: { type: 'recovered', change: 'changed', staleSince: 1, fields: ['score', 'updatedAt'] },
    }),
    rec({
      kind: 'error',
      label: 'token revoked',
      subscriptionKey: SUB,
      className: 'Game',
      marker: { type: 'tokenInvalid', state: 'revoked', applies: 'subscription', tokenLabel: 'alice', username: 'alice', userId: 'uA', detail: 'Invalid session token (code 209)' },
    }),
    rec({
      kind: 'error',
      label: 'fan-out check',
      source: { type: 'extension' },
      className: 'Game',
      objectId: 'g2',
      marker: {
        type: 'fanoutCheck',
        fleet: 'myApp',
        className: 'Game',
        write: 'create',
        objectId: 'g2',
        waitMs: 5000,
        lateMs: 1000,
        nodes: [
          { serverId: 'srv', node: 'node1', verdict: 'delivered', latencyMs: 12.5, behindFastestMs: 0 },
          { serverId: 'srv~2', node: 'node1 #2', verdict: 'down', why: 'reconnecting' },
        ],
      },
    }),
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
    restURL: 'https://api.example.com/parse',
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
      version: 2,
      exportedAt: '2025-05-01T10:00:00.000Z',
      app: { name: 'LiveQuery DevTools', version: '1.2.3' },
      redacted: false,
      filter: 'kinds: create',
      servers,
      records,
    });
  });

  it('reads every gap reason back, the service-worker restart included', () => {
    const gaps = (['connectionLost', 'connectionClosed', 'workerRestarted'] as const).map((reason) =>
      rec({ kind: 'gap', label: 'possible gap', subscriptionKey: SUB, marker: { type: 'gap', from: 1, to: 2, reason } }),
    );
    const recording = imported(exportRecording(gaps, { exportedAt: EXPORTED_AT, appVersion: '1', redact: false }));
    assert.deepEqual(recording.records, gaps);
  });

  it('writes one JSON document with a header and one record per line', () => {
    const records = sampleRecords().slice(0, 2);
    const text = exportRecording(records, { exportedAt: new Date(EXPORTED_AT), appVersion: '1' , redact: false });
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      '{"format":"livequery-devtools-recording","version":2,"exportedAt":"2025-05-01T10:00:00.000Z","app":{"name":"LiveQuery DevTools","version":"1"},"redacted":false,"records":[',
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
      { serverURL: 'wss://example.com/parse', applicationId: 'myApp', javascriptKey: REDACTED, masterKey: REDACTED, sessionToken: REDACTED, label: 'prod', restURL: 'https://api.example.com/parse' },
    ]);
    assert.equal(recording.records.length, records.length);
    recording.records.forEach((r, i) => {
      const original = records[i]!;
      // Modulo redaction of raw, marker and summary, every record is the same.
      assert.deepEqual({ ...r, raw: undefined, marker: undefined, summary: undefined }, { ...original, raw: undefined, marker: undefined, summary: undefined });
      assert.equal(r.marker?.type, original.marker?.type);
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
    assert.deepEqual(recording.records[6]!.marker, { type: 'socketError', message: `refused ${REDACTED}` });
    assert.deepEqual(recording.records[13]!.marker, { type: 'serverEdited', serverURL: `wss://example.com/parse?sessionToken=${REDACTED}` });
    assert.deepEqual(recording.records[14]!.marker, records[14]!.marker, 'markers without secrets are kept as they are');
  });

  it('also removes extra secrets the caller knows of', () => {
    const records = [rec({ kind: 'received', raw: '{"op":"x","note":"hello extra-secret-1234"}', summary: 'extra-secret-1234' })];
    const text = exportRecording(records, { exportedAt: EXPORTED_AT, appVersion: '1', secrets: ['extra-secret-1234'] });
    assert.ok(!text.includes('extra-secret-1234'));
  });

  it('drops unknown fields of records and markers and keeps optional ones', () => {
    const text = JSON.stringify({
      format: RECORDING_FORMAT,
      version: 2,
      exportedAt: '2025-05-01T10:00:00.000Z',
      app: { name: 'x', version: '1' },
      records: [
        JSON.parse(
          '{"__proto__":{"polluted":true},"seq":1,"epoch":"e","time":1.5,"source":{"type":"pageSocket","socketId":"s","frameId":2,"extra":1},"kind":"update","label":"l","summary":"s","requestId":3,"className":"A","objectId":"o","subscriptionKey":"k","raw":"{}","future":"x"}',
        ) as unknown,
        JSON.parse(
          '{"seq":2,"epoch":"e","time":2,"source":{"type":"server","serverId":"v"},"kind":"connection","label":"l","summary":"s","marker":{"__proto__":{"polluted":true},"type":"connectionState","state":"closed","attempt":2,"code":1006,"future":"x"}}',
        ) as unknown,
      ],
    });
    const recording = imported(text);
    assert.deepEqual(recording.records, [
      { seq: 1, epoch: 'e', time: 1.5, source: { type: 'pageSocket', socketId: 's', frameId: 2 }, kind: 'update', label: 'l', summary: 's', requestId: 3, className: 'A', objectId: 'o', subscriptionKey: 'k', raw: '{}' },
      { seq: 2, epoch: 'e', time: 2, source: { type: 'server', serverId: 'v' }, kind: 'connection', label: 'l', summary: 's', marker: { type: 'connectionState', state: 'closed', attempt: 2, code: 1006 } },
    ]);
    assert.equal(Object.getPrototypeOf(recording.records[1]!.marker), Object.prototype);
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
      [JSON.stringify({ ...valid, version: 3 }), 'this recording has format version 3, made by a newer LiveQuery DevTools; this one reads version 2. Update the extension to open it.'],
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
      [withRecord({ source: { type: 'tab' } }), 'records[0].source.type: must be "extension", "server", "document", "pageSocket"'],
      [withRecord({ source: { type: 'connection', serverId: 's' } }), 'records[0].source.type: must be "extension", "server", "document", "pageSocket"'],
      [withRecord({ source: { type: 'server' } }), 'records[0].source.serverId: must be a string'],
      [withRecord({ source: { type: 'pageSocket', socketId: 's' } }), 'records[0].source.frameId: must be a finite number'],
      [withRecord({ source: { type: 'document', frameId: -1 } }), 'records[0].source.frameId: must be a whole number ≥ 0'],
      [JSON.stringify({ ...valid, version: 1 }), 'records[0].source.type: must be "connection" or "page"'],
      [withRecord({ marker: 'gap' }), 'records[0].marker: must be an object'],
      [withRecord({ marker: { type: 'nope' } }), 'records[0].marker.type: unknown marker "nope"'],
      [withRecord({ marker: { type: 'toString' } }), 'records[0].marker.type: unknown marker "toString"'],
      [withRecord({ marker: { type: 'navigated', url: 'u' } }), 'records[0].marker.generation: must be a finite number'],
      [withRecord({ marker: { type: 'gap', from: 1, to: 2, reason: 'bored' } }), 'records[0].marker.reason: must be one of connectionLost, connectionClosed, workerRestarted'],
      [withRecord({ marker: { type: 'connectionState', state: 'asleep', attempt: 1 } }), 'records[0].marker.state: must be one of initialized, connecting, connected, reconnecting, closed, disconnected'],
      [withRecord({ marker: { type: 'tokenSwitched', subscriptionId: 's', anonymous: 'no' } }), 'records[0].marker.anonymous: must be true or false'],
      [withRecord({ marker: { type: 'restored', servers: [{ id: 1 }], subscriptions: 0 } }), 'records[0].marker.servers[0].id: must be a string'],
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
    assert.deepEqual(importRecording(text, { maxRawChars: 10 }), { ok: false, error: 'records[1].raw: longer than 10 characters' });
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

describe('importRecording of a version 1 recording', () => {
  const text = readFileSync(new URL('./fixtures/recording-v1.lqrec.json', import.meta.url), 'utf8');
  const T = 1746093600000;
  const ext = { type: 'extension' } as const;
  const srv = { type: 'server', serverId: 'a1b2c3d4' } as const;
  const c1 = { type: 'pageSocket', socketId: 'c1', frameId: 0 } as const;
  const sub = 'server:a1b2c3d4/e5f6a7b8';

  it('turns sentinel sources into typed ones, labelled records into markers, and keys into today’s keys', () => {
    const recording = imported(text);
    assert.equal(recording.version, 2);
    assert.deepEqual(recording.sources, { 'server:a1b2c3d4': 'prod', 'pageSocket:c1': 'page app.test/parse', 'pageSocket:c2': 'page app.test/parse' });
    const rows = recording.records.map((r) => [r.label, r.source, r.marker ?? r.raw?.slice(0, 16), r.subscriptionKey]);
    assert.deepEqual(rows, [
      ['restored', ext, { type: 'restored', servers: [{ id: 'a1b2c3d4', serverURL: 'wss://example.com/parse' }], subscriptions: 2 }, undefined],
      ['connecting', srv, { type: 'connectionState', state: 'connecting', attempt: 1 }, undefined],
      ['connect', srv, '{"op":"connect",', undefined],
      ['connected', srv, '{"op":"connected', undefined],
      ['connected', srv, { type: 'connectionState', state: 'connected', attempt: 1 }, undefined],
      ['subscribe', srv, '{"op":"subscribe', sub],
      ['subscribed', srv, '{"op":"subscribe', sub],
      ['create', srv, '{"op":"create","', sub],
      ['closed', srv, { type: 'connectionState', state: 'closed', attempt: 1, code: 1006, reason: '' }, undefined],
      ['reconnecting', srv, { type: 'connectionState', state: 'reconnecting', attempt: 1, delayMs: 1000, nextRetryAt: T + 2000 }, undefined],
      ['possible gap', srv, { type: 'gap', from: T + 1000, to: T + 2500 }, sub],
      ['token switched', srv, { type: 'tokenSwitched', subscriptionId: 'e5f6a7b8', anonymous: false, tokenLabel: 'alice' }, sub],
      ['token switched', srv, { type: 'tokenSwitched', subscriptionId: 'e5f6a7b8', anonymous: true }, sub],
      ['edited', srv, { type: 'serverEdited', serverURL: 'wss://example.com/parse' }, undefined],
      ['disconnected', srv, { type: 'connectionState', state: 'disconnected', attempt: 0, reason: 'closed by you' }, undefined],
      ['socket error', srv, { type: 'socketError', message: 'connect ECONNREFUSED' }, undefined],
      ['no answer', srv, { type: 'noAnswer', timeoutMs: 10_000 }, undefined],
      ['invalid frame', srv, 'hello', undefined],
      ['error 209', srv, '{"op":"error","e', sub],
      ['invalid server', ext, { type: 'invalidServer', serverURL: 'http://nope', error: 'LiveQueryClient: "serverURL" must start with ws:// or wss://' }, undefined],
      ['invalid query', srv, { type: 'invalidQuery', error: 'where: Unexpected end of JSON input', className: 'Game', where: '{', keys: '', watch: '' }, undefined],
      ['records dropped', ext, { type: 'backlogDropped', count: 42 }, undefined],
      ['navigated', { type: 'document', frameId: 0 }, { type: 'navigated', url: 'http://app.test/', generation: 3 }, undefined],
      ['connecting', c1, { type: 'pageSocketCreated', url: 'wss://app.test/parse' }, undefined],
      ['open', c1, { type: 'pageSocketOpen', url: 'wss://app.test/parse' }, undefined],
      ['subscribe', c1, '{"op":"subscribe', 'pageSocket:c1/1'],
      ['create', c1, '{"op":"create","', 'pageSocket:c1/1'],
      ['socket error', c1, { type: 'socketError' }, undefined],
      ['closed', c1, { type: 'pageSocketClosed', code: 1000, reason: 'bye', wasClean: true }, undefined],
      ['dropped', { type: 'document', frameId: 2 }, { type: 'relayDropped', count: 7 }, undefined],
      [
        'resumed',
        { type: 'pageSocket', socketId: 'c2', frameId: 0 },
        { type: 'resumed', url: 'wss://app.test/parse', state: 'open', subscriptions: 2, applicationId: 'pageApp', clientId: 'k2' },
        undefined,
      ],
    ]);
    for (const record of recording.records) assert.ok(!(record.marker && record.raw !== undefined), `${record.label}: a marker replaces the details text`);
  });

  it('exports the converted records again as version 2 and as HAR with exactly the frames', () => {
    const { records, sources } = imported(text);
    const again = imported(exportRecording(records, { exportedAt: EXPORTED_AT, appVersion: '1', redact: false, sources }));
    assert.deepEqual(again.records, records);
    const har = JSON.parse(exportHar(records, { redact: false, urls: { 'server:a1b2c3d4': 'wss://example.com/parse' } })) as {
      log: { entries: { request: { url: string }; _webSocketMessages: { type: string; data: string }[] }[] };
    };
    assert.deepEqual(
      har.log.entries.map((e) => [e.request.url, e._webSocketMessages.map((m) => `${m.type} ${m.data.slice(0, 16)}`)]),
      [
        [
          'wss://example.com/parse',
          ['send {"op":"connect",', 'receive {"op":"connected', 'send {"op":"subscribe', 'receive {"op":"subscribe', 'receive {"op":"create","', 'receive hello', 'receive {"op":"error","e'],
        ],
        ['unknown:pageSocket:c1', ['send {"op":"subscribe', 'receive {"op":"create","']],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportHar } from './har.js';
import type { TimelineRecord } from './record.js';
import { REDACTED } from './redact.js';
import { recordFactory } from './test-records.js';

const SECRETS = {
  token: 'r:0123456789abcdef0123456789abcdef',
  legacyToken: 'legacyTokenABCDEFGH123',
  jsKey: 'js-key-0123456789',
  masterKey: 'master-key-abcdefgh',
  urlToken: 'url-token-LMNOP444',
};

const { rec, reset } = recordFactory();

const page = { type: 'pageSocket', socketId: 'sock-1', frameId: 0 } as const;

function sampleRecords(): TimelineRecord[] {
  reset();
  return [
    rec({ kind: 'connection', label: 'connecting', marker: { type: 'connectionState', state: 'connecting', attempt: 1 } }),
    rec({
      kind: 'sent',
      label: 'connect',
      raw: JSON.stringify({ op: 'connect', applicationId: 'myApp', javascriptKey: SECRETS.jsKey, masterKey: SECRETS.masterKey, sessionToken: SECRETS.token }),
    }),
    rec({ kind: 'received', label: 'connected', raw: '{"op":"connected","clientId":"c1"}' }),
    rec({ kind: 'sent', label: 'subscribe', raw: '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}}}' }),
    rec({ kind: 'create', raw: JSON.stringify({ op: 'create', requestId: 1, object: { className: '_Session', objectId: 's1', sessionToken: SECRETS.legacyToken } }) }),
    rec({ kind: 'error', label: 'error 209', raw: JSON.stringify({ op: 'error', error: `Invalid session token ${SECRETS.legacyToken}`, code: 209, reconnect: false, requestId: 1 }) }),
    rec({ kind: 'error', label: 'socket error', marker: { type: 'socketError', message: 'refused' } }),
    rec({ kind: 'connection', label: 'details', raw: JSON.stringify({ headers: { 'X-Parse-Session-Token': SECRETS.token } }) }),
    rec({ kind: 'sent', label: 'connect', source: page, raw: `{"op":"connect","sessionToken":"${SECRETS.legacyToken}","javascriptKey":"${SECRETS.jsKey}` }),
    rec({ kind: 'update', source: page, raw: '{"op":"update","requestId":1,"object":{"className":"A","objectId":"x"}}' }),
    rec({ kind: 'error', label: 'invalid frame', source: page, raw: 'hello' }),
    rec({ kind: 'gap', label: 'possible gap', marker: { type: 'gap', from: 1, to: 2 } }),
    rec({ kind: 'received', label: 'subscribed', raw: '{"op":"subscribed","clientId":"c1","requestId":2}' }),
    rec({ kind: 'received', label: 'no raw' }),
  ];
}

function assertNoSecrets(text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `${name} leaked`);
  assert.ok(!/r:[0-9a-f]{16,}/i.test(text), 'a session token leaked');
}

describe('exportHar', () => {
  it('writes one websocket entry per source with Chrome’s _webSocketMessages', () => {
    const records = sampleRecords();
    const har = JSON.parse(
      exportHar(records, {
        redact: false,
        appVersion: '1.2.3',
        urls: new Map([
          ['server:srv', 'wss://example.com/parse'],
          ['pageSocket:sock-1', 'wss://page.example/ws'],
        ]),
      }),
    ) as { log: { version: string; creator: unknown; pages: unknown[]; entries: Record<string, unknown>[] } };
    assert.equal(har.log.version, '1.2');
    assert.deepEqual(har.log.creator, { name: 'LiveQuery DevTools', version: '1.2.3' });
    assert.deepEqual(har.log.pages, []);
    assert.equal(har.log.entries.length, 2);
    const [connection, pageEntry] = har.log.entries as {
      startedDateTime: string;
      time: number;
      request: { method: string; url: string };
      response: { status: number };
      timings: Record<string, number>;
      _resourceType: string;
      _webSocketMessages: { type: string; time: number; opcode: number; data: string }[];
    }[];
    assert.equal(connection!.request.url, 'wss://example.com/parse');
    assert.equal(connection!.request.method, 'GET');
    assert.equal(connection!.response.status, 101);
    assert.equal(connection!._resourceType, 'websocket');
    assert.equal(connection!.startedDateTime, new Date(records[1]!.time).toISOString());
    // connect, connected, subscribe, create, error frame, subscribed; not the connection, socket error or gap records.
    assert.deepEqual(
      connection!._webSocketMessages.map((m) => [m.type, m.opcode, m.time, m.data]),
      [1, 2, 3, 4, 5, 12].map((i) => [records[i]!.kind === 'sent' ? 'send' : 'receive', 1, records[i]!.time / 1000, records[i]!.raw]),
    );
    assert.equal(connection!.time, Math.round((records[12]!.time - records[1]!.time) * 1000) / 1000);
    assert.equal(connection!.timings.receive, connection!.time);
    assert.equal(pageEntry!.request.url, 'wss://page.example/ws');
    assert.deepEqual(pageEntry!._webSocketMessages.map((m) => m.type), ['send', 'receive', 'receive']);
  });

  it('takes URLs from a plain object and names unknown sources', () => {
    const records = sampleRecords();
    const har = JSON.parse(exportHar(records, { urls: { 'pageSocket:sock-1': 'wss://p/ws' } })) as { log: { entries: { request: { url: string } }[] } };
    assert.deepEqual(har.log.entries.map((e) => e.request.url), ['unknown:server:srv', 'wss://p/ws']);
  });

  it('redacts by default', () => {
    const text = exportHar(sampleRecords(), { urls: { 'server:srv': `wss://h/parse?sessionToken=${SECRETS.urlToken}` } });
    assertNoSecrets(text);
    const har = JSON.parse(text) as { log: { entries: { _webSocketMessages: { data: string }[] }[] } };
    assert.equal(JSON.parse(har.log.entries[0]!._webSocketMessages[0]!.data).sessionToken, REDACTED);
  });

  it('writes an empty log for no frames', () => {
    const har = JSON.parse(exportHar([rec({ kind: 'gap', raw: '{}' })])) as { log: { entries: unknown[] } };
    assert.deepEqual(har.log.entries, []);
  });
});

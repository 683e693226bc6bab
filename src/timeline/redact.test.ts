import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimelineRecord } from './record.js';
import { collectSecrets, isSecretKey, REDACTED, Redactor } from './redact.js';

const TOKEN = 'r:0123456789abcdef0123456789abcdef';

function record(raw: string | undefined, extra: Partial<TimelineRecord> = {}): TimelineRecord {
  return {
    seq: 1,
    epoch: 'e',
    time: 1,
    source: { type: 'server', serverId: 's' },
    kind: 'sent',
    label: 'x',
    summary: '',
    ...(raw === undefined ? {} : { raw }),
    ...extra,
  };
}

/** `{"a": [{"a": [… leaf …]}]}`, `depth` levels of objects and arrays. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('isSecretKey', () => {
  it('knows the LiveQuery and REST names of keys and tokens', () => {
    for (const key of ['sessionToken', 'masterKey', 'javascriptKey', 'restAPIKey', 'clientKey', 'windowsKey', 'X-Parse-Session-Token', 'x-parse-rest-api-key', 'X-Parse-Master-Key', 'session_token']) {
      assert.ok(isSecretKey(key), key);
    }
    for (const key of ['applicationId', 'installationId', 'token', 'masterKeyIps', 'op', 'sessionTokens']) assert.ok(!isSecretKey(key), key);
  });
});

describe('Redactor', () => {
  const redactor = new Redactor(['legacyTokenABCDEFGH', 'short']);

  it('replaces secret values anywhere in a JSON frame and keeps it valid JSON', () => {
    const raw = JSON.stringify({
      op: 'connect',
      applicationId: 'app',
      javascriptKey: 'js-1234567890',
      masterKey: 'mk',
      sessionToken: TOKEN,
      nested: { list: [{ restAPIKey: 'rest' }, { clientKey: 'ck', windowsKey: 'wk' }], note: `token ${TOKEN} and legacyTokenABCDEFGH` },
      empty: { sessionToken: '' },
      none: { sessionToken: null },
    });
    const out = redactor.frame(raw);
    assert.deepEqual(JSON.parse(out), {
      op: 'connect',
      applicationId: 'app',
      javascriptKey: REDACTED,
      masterKey: REDACTED,
      sessionToken: REDACTED,
      nested: { list: [{ restAPIKey: REDACTED }, { clientKey: REDACTED, windowsKey: REDACTED }], note: `token ${REDACTED} and ${REDACTED}` },
      empty: { sessionToken: '' },
      none: { sessionToken: null },
    });
  });

  it('returns a clean JSON frame unchanged, byte for byte', () => {
    const raw = '{"op":"create","requestId":1,"object":{"n":1.0,"big":12345678901234567890}}';
    assert.equal(redactor.frame(raw), raw);
  });

  it('redacts pairs and tokens in text that is not JSON, including a cut-off value', () => {
    assert.equal(
      redactor.frame(`{"op":"connect","sessionToken":"abc\\"def","masterKey" : "m1"`),
      `{"op":"connect","sessionToken":"${REDACTED}","masterKey" : "${REDACTED}"`,
    );
    assert.equal(redactor.frame(`{"op":"subscribe","sessionToken":"r:0123`), `{"op":"subscribe","sessionToken":"${REDACTED}"`);
    assert.equal(redactor.text(`saw ${TOKEN}.`), `saw ${REDACTED}.`);
    assert.equal(redactor.text('wss://h/parse?sessionToken=abc&x=1'), `wss://h/parse?sessionToken=${REDACTED}&x=1`);
    assert.equal(redactor.text('color:deadbeefdeadbeefdead'), 'color:deadbeefdeadbeefdead');
  });

  it('removes known secrets of at least 8 characters from free text', () => {
    assert.equal(redactor.text('Invalid session token legacyTokenABCDEFGH!'), `Invalid session token ${REDACTED}!`);
    assert.equal(redactor.text('a short word'), 'a short word');
  });

  it('never sets a prototype from a __proto__ key', () => {
    const out = redactor.frame('{"__proto__":{"sessionToken":"x"},"a":1}');
    assert.equal(out, `{"__proto__":{"sessionToken":"${REDACTED}"},"a":1}`);
  });

  it('redacts a record’s raw and texts, and a server spec', () => {
    const r = redactor.record(record(`{"op":"connect","sessionToken":"${TOKEN}"}`, { summary: `error for ${TOKEN}`, label: 'x' }));
    assert.equal(r.raw, `{"op":"connect","sessionToken":"${REDACTED}"}`);
    assert.equal(r.summary, `error for ${REDACTED}`);
    const marked = redactor.record(record(undefined, { kind: 'connection', marker: { type: 'serverEdited', serverURL: `wss://h/?sessionToken=${TOKEN}` } }));
    assert.deepEqual(marked.marker, { type: 'serverEdited', serverURL: `wss://h/?sessionToken=${REDACTED}` });
    const clean = record(undefined, { kind: 'gap', marker: { type: 'gap', from: 1, to: 2, reason: 'connectionLost' } });
    assert.equal(redactor.record(clean).marker, clean.marker, 'a marker without secrets is the same object');
    assert.deepEqual(
      redactor.server({ serverURL: 'wss://h/?sessionToken=zz', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk', sessionToken: TOKEN, label: 'mine' }),
      { serverURL: `wss://h/?sessionToken=${REDACTED}`, applicationId: 'app', javascriptKey: REDACTED, masterKey: REDACTED, sessionToken: REDACTED, label: 'mine' },
    );
  });
});

describe('Redactor on a megabyte of hostile text', () => {
  // A quadratic pattern takes minutes on each of these (150k characters took 12.8 s in the panel): the timeout fails it.
  const MB = 1 << 20;
  const LINEAR = { timeout: 60_000 };
  const redactor = new Redactor(['legacyTokenABCDEFGH']);

  it('redacts a base64url run (a JWT-like token) in linear time', LINEAR, () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9_-'.repeat(MB / 22);
    assert.equal(redactor.text(token), token);
    assert.equal(redactor.text(`?x=${token}&sessionToken=${token}`), `?x=${token}&sessionToken=${REDACTED}`);
    assert.equal(redactor.frame(`{"op":"connect","sessionToken":"${token}`), `{"op":"connect","sessionToken":"${REDACTED}"`);
  });

  it('redacts a megabyte of token prefixes and a megabyte-long token in linear time', LINEAR, () => {
    const prefixes = 'r:'.repeat(MB / 2);
    assert.equal(redactor.text(prefixes), prefixes);
    assert.equal(redactor.text(`(r:${'0'.repeat(MB)})`), `(${REDACTED})`);
  });

  it('redacts text made of quotes, escaped quotes and unclosed pairs in linear time', LINEAR, () => {
    const escaped = '"' + '\\"'.repeat(MB / 2);
    assert.equal(redactor.text(escaped), escaped);
    const quotes = '"'.repeat(MB);
    assert.equal(redactor.text(quotes), quotes);
    assert.equal(redactor.text(`"sessionToken":"${'\\"'.repeat(MB / 2)}`), `"sessionToken":"${REDACTED}"`);
    const pairs = '"a":"b",'.repeat(MB / 8);
    assert.equal(redactor.text(pairs + '"masterKey":"m"'), `${pairs}"masterKey":"${REDACTED}"`);
  });

  it('collects secrets from a megabyte of such text in linear time', LINEAR, () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9_-'.repeat(MB / 22);
    const found = collectSecrets([record(`{"op":"connect","sessionToken":"${'\\"'.repeat(MB / 2)}x" ${token} masterKey=mk-1`)]);
    assert.deepEqual([...found].sort(), ['"'.repeat(MB / 2) + 'x', 'mk-1']);
  });
});

describe('Redactor and collectSecrets on a value 50,000 levels deep', () => {
  const deep = () => nested(50_000, { sessionToken: 'tok-deep-123', note: `see ${TOKEN}` });

  it('redacts a too-deep value as its JSON text', () => {
    const out = new Redactor().value(deep());
    assert.equal(typeof out, 'string');
    assert.ok(!(out as string).includes('tok-deep-123') && !(out as string).includes(TOKEN));
    assert.ok((out as string).includes(`{"a":{"sessionToken":"${REDACTED}","note":"see ${REDACTED}"}}]`));
  });

  it('redacts a too-deep frame as text, and collects the secret at its bottom', () => {
    const raw = JSON.stringify({ op: 'create', object: { objectId: 'x' } }).replace('"x"', '"x","deep":' + '['.repeat(50_000) + '{"sessionToken":"tok-deep-123"}' + ']'.repeat(50_000));
    assert.deepEqual([...collectSecrets([record(raw)])], ['tok-deep-123']);
    const out = new Redactor().frame(raw);
    assert.ok(out.includes(`{"sessionToken":"${REDACTED}"}`) && !out.includes('tok-deep-123'));
    assert.deepEqual([...collectSecrets([record(JSON.stringify({ a: 1 }))], [{ serverURL: 'u', applicationId: 'a', nested: deep() } as never])], ['tok-deep-123']);
  });

  it('collects secrets in the order a recursive walk finds them', () => {
    const found = collectSecrets([record(JSON.stringify({ a: { sessionToken: 'first-1', b: [{ masterKey: 'second-2' }] }, masterKey: 'third-3' }))]);
    assert.deepEqual([...found], ['first-1', 'second-2', 'third-3']);
  });
});

describe('collectSecrets', () => {
  it('finds secret values in JSON frames, in other text and in server specs', () => {
    const found = collectSecrets(
      [
        record(JSON.stringify({ op: 'connect', masterKey: 'mk-1', deep: [{ sessionToken: 'tok-1' }] })),
        record('{"op":"subscribe","sessionToken":"tok\\"2","x":1'),
        record('GET /?javascriptKey=js-3&a=b'),
        record(undefined),
      ],
      [{ serverURL: 'u', applicationId: 'a', masterKey: 'mk-4' }],
    );
    assert.deepEqual([...found].sort(), ['js-3', 'mk-1', 'mk-4', 'tok"2', 'tok-1']);
  });
});

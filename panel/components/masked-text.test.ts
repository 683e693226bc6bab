import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED } from '../../src/timeline/redact.js';
import { clipText, DETAIL_LIMIT, hiddenNote, jsonLine, maskJSON, maskText, rawForDisplay, withNote } from './masked-text.js';

const TOKEN = 'r:0123456789abcdef0123456789abcdef';
const MB = 1 << 20;

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

describe('maskText / clipText', () => {
  it('masks a short text whole', () => {
    assert.deepEqual(maskText(`token ${TOKEN}`, 100), { text: `token ${REDACTED}`, hidden: 0 });
    assert.deepEqual(clipText('abc', 3), { text: 'abc', hidden: 0 });
  });

  it('shows the first characters of a long text and counts the rest', () => {
    const shown = maskText('x'.repeat(MB), 100);
    assert.deepEqual(shown, { text: 'x'.repeat(100), hidden: MB - 100 });
    assert.equal(withNote(shown), `${'x'.repeat(100)}… 1,048,476 more characters not shown`);
    assert.equal(hiddenNote(1234567), '… 1,234,567 more characters not shown');
    assert.deepEqual(clipText('abcdef', 2), { text: 'ab', hidden: 4 });
  });

  it('masks a secret that the cut splits: no part of it shows', () => {
    const text = 'x'.repeat(94) + ' ' + TOKEN + ' ' + 'y'.repeat(MB);
    assert.equal(maskText(text, 100).text, 'x'.repeat(94) + ' ' + REDACTED.slice(0, 5));
    const pair = 'a'.repeat(90) + '?sessionToken=' + 'z'.repeat(5000) + '&b=1';
    assert.ok(!maskText(pair, 110).text.includes('z'));
  });
});

describe('rawForDisplay', () => {
  it('masks a JSON frame by value and indents it; reveal shows it as it is', () => {
    const raw = JSON.stringify({ op: 'connect', sessionToken: TOKEN });
    assert.deepEqual(rawForDisplay(raw, false), { text: JSON.stringify({ op: 'connect', sessionToken: REDACTED }, null, 2), hidden: 0 });
    assert.deepEqual(rawForDisplay(raw, true), { text: JSON.stringify({ op: 'connect', sessionToken: TOKEN }, null, 2), hidden: 0 });
  });

  it('masks a megabyte non-JSON frame (a base64url run) on the shown part only', { timeout: 60_000 }, () => {
    const raw = `{"op":"connect","sessionToken":"${TOKEN}","x":"` + 'eyJhbGciOiJIUzI1NiJ9_-'.repeat(MB / 22);
    const shown = rawForDisplay(raw, false);
    assert.equal(shown.text.length, DETAIL_LIMIT);
    assert.ok(shown.text.startsWith(`{"op":"connect","sessionToken":"${REDACTED}","x":"eyJ`));
    assert.equal(shown.hidden, raw.length - DETAIL_LIMIT);
    assert.equal(rawForDisplay(raw, true).text, raw.slice(0, DETAIL_LIMIT));
  });

  it('shows a frame 50,000 levels deep as masked text', () => {
    const raw = '['.repeat(50_000) + `{"sessionToken":"${TOKEN}"}` + ']'.repeat(50_000);
    const shown = rawForDisplay(raw, false);
    assert.ok(shown.text.includes(`{"sessionToken":"${REDACTED}"}`) && !shown.text.includes(TOKEN));
  });
});

describe('maskJSON / jsonLine', () => {
  it('writes a value as one masked line, cut past the limit', () => {
    assert.deepEqual(maskJSON({ a: 1, sessionToken: 'abc' }, 100), { text: `{"a":1,"sessionToken":"${REDACTED}"}`, hidden: 0 });
    assert.deepEqual(maskJSON(['x'.repeat(200)], 10), { text: '["xxxxxxxx', hidden: 194 });
  });

  it('writes a value 50,000 levels deep without a stack overflow', () => {
    const shown = maskJSON(nested(50_000, { sessionToken: 'abc' }), 50);
    assert.equal(shown.text, '[{"a":'.repeat(9).slice(0, 50), 'the outermost level is an array');
    assert.equal(shown.hidden, 50_000 / 2 * '[{"a":]}'.length + `{"sessionToken":"abc"}`.length - 50);
    assert.ok(jsonLine(nested(50_000), 20).startsWith('[{"a":[{"a":[{"a":[{'));
    assert.match(jsonLine(nested(50_000), 20), /… [\d,]+ more characters not shown$/);
  });
});

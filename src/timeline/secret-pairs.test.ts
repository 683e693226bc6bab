import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonPairs, QUERY_PAIR, queryPairGroups } from './secret-pairs.js';

/** The patterns redaction used before: correct, but quadratic on long tokens and on runs of escaped quotes. */
const BACKTRACKING_JSON_PAIR = /"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)(?:"|$)/g;
const BACKTRACKING_QUERY_PAIR = /([A-Za-z][A-Za-z0-9_-]*)=([^&\s"'#]+)/g;

/** A deterministic pseudo-random text over `alphabet`. */
function randomTexts(alphabet: string[], count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: count }, () => Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join(''));
}

/** A text big enough that a quadratic scan of it does not finish within the test's timeout. */
const MB = 1 << 20;
const LINEAR = { timeout: 60_000 };

describe('jsonPairs', () => {
  it('finds what the backtracking pattern finds, on thousands of random texts', () => {
    const texts = randomTexts(['"', '\\', ':', ' ', 'a', 'k', '\n', ',', '{'], 20_000, 7);
    texts.push('{"op":"connect","sessionToken":"abc\\"def","masterKey" : "m1"', '"a":"b\\', '"a":"b\\\nc"', '"k" :\n "v');
    for (const text of texts) {
      const expected = [...text.matchAll(BACKTRACKING_JSON_PAIR)].map((m) => ({ start: m.index, end: m.index! + m[0].length, key: m[1], colon: m[2], value: m[3] }));
      assert.deepEqual([...jsonPairs(text)], expected, JSON.stringify(text));
    }
  });

  it('scans a megabyte of escaped quotes, of quotes and of unclosed pairs in linear time', LINEAR, () => {
    assert.deepEqual([...jsonPairs('"' + '\\"'.repeat(MB / 2))], []);
    assert.deepEqual([...jsonPairs('"'.repeat(MB))], []);
    const unclosed = [...jsonPairs('"a":"' + '\\"'.repeat(MB / 2) + '\\')];
    assert.deepEqual(unclosed, []);
    const pairs = [...jsonPairs('"k":"v",'.repeat(MB / 8))];
    assert.equal(pairs.length, MB / 8);
  });
});

describe('QUERY_PAIR', () => {
  it('replaces what the backtracking pattern replaced, on thousands of random texts', () => {
    const texts = randomTexts(['a', 'K', '1', '_', '-', '=', '&', ' ', '"', '#', '.'], 20_000, 11);
    texts.push('wss://h/parse?sessionToken=abc&x=1', '1sessionToken=abc', '_-9key=v=w', '-=x', 'a=');
    for (const text of texts) {
      const before = text.replace(BACKTRACKING_QUERY_PAIR, (pair: string, key: string, value: string) => `<${key}|${value}>`);
      const after = text.replace(QUERY_PAIR, (pair: string, ...args: unknown[]) => {
        const { prefix, key, value } = args.at(-1) as { prefix: string; key: string; value: string };
        return `${prefix}<${key}|${value}>`;
      });
      assert.equal(after, before, JSON.stringify(text));
    }
  });

  it('scans a megabyte-long base64url token in linear time', LINEAR, () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9_-'.repeat(MB / 22);
    assert.deepEqual([...token.matchAll(QUERY_PAIR)], []);
    assert.deepEqual([...('0123_-'.repeat(MB / 6) + 'x').matchAll(QUERY_PAIR)], []);
    const [match] = [...`${token}=value`.matchAll(QUERY_PAIR)];
    assert.equal(queryPairGroups(match!).key, token);
    assert.equal(queryPairGroups(match!).value, 'value');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REGEX_TEXT } from './filter.js';
import type { TimelineRecord } from './record.js';
import {
  costProblem,
  costRequest,
  estimatedMs,
  FILTER_BUDGET_MS,
  LONGEST_TEXTS,
  measureRegexCost,
  PROBE_BUDGET_MS,
  PROBE_LENGTH,
  probeTexts,
  SAMPLE_RECORDS,
  sampleRecords,
  type RegexCostRequest,
} from './regex-cost.js';
import { recordFactory } from './test-records.js';

const { rec } = recordFactory();

/** A clock that moves `step` ms each time it is read: each measured part then takes `step` ms. */
function steppingClock(step: number): () => number {
  let time = 0;
  return () => (time += step);
}

describe('sampleRecords / costRequest', () => {
  it('samples records evenly and keeps the longest texts, cut as the filter cuts them', () => {
    const records: TimelineRecord[] = [];
    for (let i = 0; i < 10_000; i++) records.push(rec({ kind: 'create', raw: `{"n":${i}}` }));
    records[1234] = rec({ kind: 'received', raw: 'a'.repeat(50_000) });
    records[5678] = rec({ kind: 'received', raw: 'b'.repeat(500) });
    const request = costRequest('a+', 'i', sampleRecords(records));
    assert.equal(request.records, 10_000);
    assert.equal(request.sample.length, SAMPLE_RECORDS);
    assert.deepEqual(request.sample[1], ['{"n":10}', 'create', records[10]!.summary]);
    assert.equal(request.longest.length, LONGEST_TEXTS);
    assert.equal(request.longest[0], 'a'.repeat(MAX_REGEX_TEXT));
    assert.equal(request.longest[1], 'b'.repeat(500));
    assert.deepEqual(costRequest('a', 'i', sampleRecords([])), { source: 'a', flags: 'i', sample: [], records: 0, longest: [] });
  });
});

describe('probeTexts', () => {
  it('makes runs of the pattern’s own characters and of common ones, each ended by another character', () => {
    const probes = probeTexts('(é+)+$');
    assert.ok(probes.includes('é'.repeat(PROBE_LENGTH) + '\u0000'));
    assert.ok(probes.includes('a'.repeat(PROBE_LENGTH) + '\u0000'));
    assert.ok(probeTexts('x'.repeat(1000) + 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ').length <= 40);
  });
});

describe('measureRegexCost / costProblem', () => {
  const request = (records: number, sample: string[][]): RegexCostRequest => ({ source: 'score":\\d{4},', flags: 'i', sample, records, longest: ['x'] });

  it('measures the sample, the longest texts and the probes, and estimates the whole filter from them', () => {
    const r = request(100_000, [['a'], ['b']]);
    const cost = measureRegexCost(r, steppingClock(1));
    assert.equal(cost.ok, true);
    if (!cost.ok) return;
    assert.equal(cost.sampleMs, 1);
    assert.equal(cost.longestMs, 1);
    assert.equal(cost.probeMs, 1);
    assert.equal(estimatedMs(cost, r), 1 + (1 / 2) * 100_000);
    assert.match(costProblem(cost, r) ?? '', /^This expression takes too long on these records \(about 50,001 ms\)/);
    assert.equal(costProblem(cost, request(2 * (FILTER_BUDGET_MS - 1), [['a'], ['b']])), null);
  });

  it('refuses a pattern that is slow on a probe, and says on which', () => {
    const cost = { ok: true as const, sampleMs: 0, longestMs: 0, probeMs: PROBE_BUDGET_MS + 1, probe: 'a'.repeat(PROBE_LENGTH) + '\u0000' };
    assert.equal(
      costProblem(cost, request(10, [])),
      'This expression takes too long on texts that records may hold, such as a run of "aaaa…": simplify it, e.g. avoid nested repetition such as (a+)+',
    );
    assert.equal(costProblem({ ...cost, probeMs: PROBE_BUDGET_MS }, request(10, [])), null);
  });

  it('runs an ordinary pattern on real texts, and reports an invalid one', () => {
    const cost = measureRegexCost(request(2, [['{"score":1234,"x":1}'], ['nothing']]));
    assert.equal(cost.ok && costProblem(cost, request(2, [[], []])), null);
    assert.deepEqual(measureRegexCost({ ...request(1, []), source: '(' }), { ok: false, error: 'Invalid regular expression: /(/i: Unterminated group' });
  });
});

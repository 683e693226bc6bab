// What a user's filter regex costs on the timeline's records, measured in a worker before the panel's main thread runs
// it: a pattern such as (a+)+$ backtracks for ever on a long run of "a", and pages and servers choose their frames.

import { filterTexts } from './filter.js';
import type { TimelineRecord } from './record.js';

/** Records measured, spread evenly over the timeline: their average cost stands for every record's. */
export const SAMPLE_RECORDS = 1_000;
/** The longest texts of all records are measured too: the worst single texts there are. */
export const LONGEST_TEXTS = 16;
/**
 * Characters of a probe: a run of one character, then one that ends it. Exponential backtracking shows on it (2^48
 * steps), a polynomial one (48^3 steps) does not.
 */
export const PROBE_LENGTH = 48;

/** The most a filter change may cost the panel's main thread, as estimated from the sample and the longest texts. */
export const FILTER_BUDGET_MS = 500;
/** The most one probe may take: a record that holds such a run later would cost the main thread as much. */
export const PROBE_BUDGET_MS = 50;
/** A check still running after this long is stopped (its worker terminated): the pattern is refused. */
export const CHECK_TIMEOUT_MS = 1_000;

const ADVICE = 'simplify it, e.g. avoid nested repetition such as (a+)+';
export const CHECK_TIMED_OUT = `This expression takes too long on these records (stopped after ${CHECK_TIMEOUT_MS / 1000} s): ${ADVICE}`;

export interface RegexCostRequest {
  source: string;
  flags: string;
  /** The field texts of records spread evenly over the timeline, each cut as the filter cuts them. */
  sample: string[][];
  /** How many records the filter runs over. */
  records: number;
  /** The longest field texts of all records, cut. */
  longest: string[];
}

export type RegexCost =
  | {
      ok: true;
      /** Time on the sample, on the longest texts, and on the slowest probe (which it was). */
      sampleMs: number;
      longestMs: number;
      probeMs: number;
      probe: string;
    }
  | { ok: false; error: string };

/** The texts a pattern is measured on: the same for any pattern, as long as the records do not change. */
export type RecordSample = Pick<RegexCostRequest, 'sample' | 'records' | 'longest'>;

/** An even sample of the records' texts and their longest texts. */
export function sampleRecords(records: readonly TimelineRecord[]): RecordSample {
  const step = Math.max(1, Math.ceil(records.length / SAMPLE_RECORDS));
  const sample: string[][] = [];
  for (let i = 0; i < records.length; i += step) sample.push(filterTexts(records[i]!));
  return { sample, records: records.length, longest: longestTexts(records, LONGEST_TEXTS) };
}

/** What to measure for a pattern on sampled records. */
export function costRequest(source: string, flags: string, sample: RecordSample): RegexCostRequest {
  return { source, flags, ...sample };
}

/** The `count` longest field texts of the records, cut, longest first; only those texts are copied. */
function longestTexts(records: readonly TimelineRecord[], count: number): string[] {
  const top: { length: number; record: TimelineRecord }[] = [];
  for (const record of records) {
    const length = Math.max(record.raw?.length ?? 0, record.summary.length, record.label.length);
    if (top.length === count && length <= top[count - 1]!.length) continue;
    top.push({ length, record });
    top.sort((a, b) => b.length - a.length);
    if (top.length > count) top.pop();
  }
  return top
    .flatMap(({ record }) => filterTexts(record))
    .sort((a, b) => b.length - a.length)
    .slice(0, count);
}

/**
 * Runs of one character that end with another: the texts on which nested or overlapping repetition backtracks
 * exponentially. Characters: the pattern's own letters, digits and punctuation, and a few common ones.
 */
export function probeTexts(source: string): string[] {
  const chars = new Set(['a', 'A', '0', ' ', '_', '-', '.', ',', ':', '"', '/', '\n']);
  for (const c of source) if (/[\p{L}\p{N}\p{P}\p{S} ]/u.test(c) && chars.size < 40) chars.add(c);
  return [...chars].map((c) => c.repeat(PROBE_LENGTH) + '\u0000');
}

/** Measures the pattern on the request's texts as the filter runs it: per record, its texts until one matches. */
export function measureRegexCost(request: RegexCostRequest, now: () => number = () => performance.now()): RegexCost {
  let pattern: RegExp;
  try {
    pattern = new RegExp(request.source, request.flags);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const timed = (run: () => void): number => {
    const start = now();
    run();
    return now() - start;
  };
  // Twice, keeping the faster: the first run also pays for compiling the pattern and this loop.
  const runSample = () => request.sample.forEach((texts) => texts.some((text) => pattern.test(text)));
  const sampleMs = Math.min(timed(runSample), timed(runSample));
  const longestMs = timed(() => request.longest.forEach((text) => pattern.test(text)));
  let probeMs = 0;
  let probe = '';
  for (const text of probeTexts(request.source)) {
    const ms = timed(() => pattern.test(text));
    if (ms >= probeMs) [probeMs, probe] = [ms, text];
  }
  return { ok: true, sampleMs, longestMs, probeMs, probe };
}

/** The main thread's estimated time for the whole filter. */
export function estimatedMs(cost: Extract<RegexCost, { ok: true }>, request: Pick<RegexCostRequest, 'records' | 'sample'>): number {
  const perRecord = request.sample.length ? cost.sampleMs / request.sample.length : 0;
  return cost.longestMs + perRecord * request.records;
}

/** Why the pattern must not run on the main thread, or null when it may. */
export function costProblem(cost: RegexCost, request: Pick<RegexCostRequest, 'records' | 'sample'>): string | null {
  if (!cost.ok) return cost.error;
  const estimate = estimatedMs(cost, request);
  if (estimate > FILTER_BUDGET_MS) {
    return `This expression takes too long on these records (about ${Math.round(estimate).toLocaleString('en-US')} ms): ${ADVICE}`;
  }
  if (cost.probeMs > PROBE_BUDGET_MS) {
    const run = JSON.stringify(cost.probe.slice(0, 4) + '…');
    return `This expression takes too long on texts that records may hold, such as a run of ${run}: ${ADVICE}`;
  }
  return null;
}

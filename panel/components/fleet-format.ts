// Fleet figures in words: a node's fan-out verdict, a latency, and which clock a figure was read on.

import type { FanoutNodeResult, FanoutWrite } from '../../src/timeline/record.js';

export const ms = (value: number) => `${Math.round(value)} ms`;

/** "delivered in 42 ms (+3 ms behind the fastest)", "late: 1200 ms behind the fastest", "missing", "down (reconnecting)". */
export function verdictText(result: FanoutNodeResult): string {
  const behind = result.behindFastestMs === undefined ? '' : result.behindFastestMs === 0 ? ', the fastest' : `, +${ms(result.behindFastestMs)} behind the fastest`;
  const latency = result.latencyMs === undefined ? '' : ` in ${ms(result.latencyMs)}`;
  switch (result.verdict) {
    case 'delivered':
      return `delivered${latency}${behind}`;
    case 'late':
      return `late${latency}${behind}`;
    case 'missing':
      return 'missing: no event within the wait window';
    case 'down':
      return `down${result.why ? ` (${result.why})` : ''}`;
  }
}

export const WRITE_TEXT: Record<FanoutWrite, string> = {
  create: 'a throwaway object created with the master key (deleted afterwards)',
  update: 'an existing match saved again with the master key',
  natural: 'the next event that happened by itself',
};

/** Which clocks a check's latency compares. */
export function latencyClock(write: FanoutWrite): string {
  return write === 'natural'
    ? "arrival (browser clock) − the object's updatedAt (server clock: they may differ)"
    : 'arrival − the moment the panel sent the write (both browser clock)';
}

// lintSubscription: what in a subscription can never fire or will be refused, each with the reason and a fix.

import { finding } from './describe.js';
import { lintLists } from './field-rules.js';
import { lintTokens } from './token-rules.js';
import type { LintFinding, LintInput, LintSeverity } from './types.js';
import { lintWhere } from './where-rules.js';

const ORDER: Record<LintSeverity, number> = { refused: 0, never: 1, warning: 2 };

/** Every finding, the most serious first (refused, then never, then warning), in query order within each. */
export function lintSubscription(input: LintInput): LintFinding[] {
  const { query, fields } = input;
  const className = typeof query.className === 'string' ? query.className : '';
  const out: LintFinding[] = [];
  if (fields?.source === 'no-class') {
    out.push(finding('class-unknown', 'warning', `The server has no class ${className} yet (its schema says so): nothing is saved in it, so no event comes until a first object is created`, 'Check the class name (it is case-sensitive)', 'query.className'));
  }
  out.push(...lintWhere(query.where, fields, className));
  out.push(...lintLists(query, fields));
  out.push(...lintTokens(className, input.sessionToken, input.connectionToken));
  return out.map((f, i) => [f, i] as const).sort((a, b) => ORDER[a[0].severity] - ORDER[b[0].severity] || a[1] - b[1]).map(([f]) => f);
}

/** The most serious severity among the findings, or null when there are none. */
export function worstSeverity(findings: readonly LintFinding[]): LintSeverity | null {
  let worst: LintSeverity | null = null;
  for (const f of findings) if (worst === null || ORDER[f.severity] < ORDER[worst]) worst = f.severity;
  return worst;
}

// How the panel names the subscription a record concerns (the scope bar, the detail pane).

import type { TimelineRecord } from '../../src/timeline/record.js';

/** The subscription a record concerns, as the lists name it ("#1 Game"), never by its internal key. */
export function subscriptionLabel(record: Pick<TimelineRecord, 'subscriptionKey' | 'requestId' | 'className'>, names: ReadonlyMap<string, string>): string | undefined {
  if (record.subscriptionKey === undefined) return undefined;
  const known = names.get(record.subscriptionKey);
  if (known) return known;
  const requestId = record.requestId ?? Number(/\/(\d+)$/.exec(record.subscriptionKey)?.[1] ?? NaN);
  const className = record.className ? ` ${record.className}` : '';
  return Number.isFinite(requestId) ? `#${requestId}${className}` : `a subscription${className} that has ended`;
}

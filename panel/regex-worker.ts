// The panel's regex worker: measures a filter pattern on the records' texts off the panel's main thread, which the
// panel terminates when the measure takes too long (see src/timeline/regex-cost.ts).

import { isPanelToRegexWorker, type RegexWorkerToPanel } from '../src/messages.js';
import { measureRegexCost } from '../src/timeline/regex-cost.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  postMessage(message: RegexWorkerToPanel): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  if (!isPanelToRegexWorker(event.data)) return;
  scope.postMessage({ type: 'regexCost', id: event.data.id, cost: measureRegexCost(event.data.request) });
};

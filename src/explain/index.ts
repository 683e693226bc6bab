// Public entry of the "Why no event?" explainer.
export { explainEvent } from './explain.js';
export { EXPLAIN_STEP_IDS } from './types.js';
export type { ExplainAuth, ExplainEventType, ExplainInput, ExplainQuery, ExplainStep, ExplainStepId, Explanation } from './types.js';

// What "Why no event?" loads in its own chunk when the view first opens: the explainer, Parse Server's rules it uses,
// and the pure helpers that turn its answer into the panel's verdict.

export { explainEvent } from '../../src/explain/explain.js';
export { hiddenCauses } from './why-causes.js';
export { checkClassPermissions } from './why-clp.js';
export { authOf, verdictOf, withClassPermissions } from './why-verdict.js';

import { metrics } from './metrics';

export { metrics };
export { instrumentFastify } from './integration';
export type { FastifyIntegration, FastifyRouteShape } from './integration';
export type { FastifyMetricsOptions, FastifyRequestState } from './types';
export default metrics;

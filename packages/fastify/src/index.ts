import { metrics } from './metrics';

export { metrics };
export type { FastifyMetricsOptions, FastifyRequestState } from './types';
export default metrics;

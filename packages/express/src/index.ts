export { metrics } from './metrics';
export type { ExpressMetricsOptions } from './metrics';
export { routeTemplate } from './route-template';

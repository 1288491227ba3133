export { metrics } from './metrics';
export type { KoaMetricsOptions } from './metrics';
export { routeTemplate } from './route-template';

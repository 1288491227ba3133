/**
 * `@promwire/auto`: HTTP metrics for Express, Fastify, Koa, NestJS and any `node:http` server,
 * and the ML runtimes, with no code: `node --require @promwire/auto/register app.js`. This
 * entry is for tests and for starting it in code.
 */
export { register, shutdown } from './auto';
export type { RegisterOptions } from './auto';
export { readConfig, ConfigProblem, DEFAULT_PORT, DEFAULT_HOST } from './config';
export { INSTRUMENTATIONS } from './types';
export type { AutoConfig, ConfigFile, Instrumentation, Registration, SharedOptions } from './types';

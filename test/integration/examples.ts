/**
 * The example services the integration tests drive. Every example serves the same shape of
 * service, so one traffic plan and one set of expected series serve them all.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes';

export interface Example {
  name: string;
  script: string;
  args?: string[];
  /** Routes the example leaves out of its metrics on purpose (to show an opt-out). */
  excluded?: string[];
}

const ALL: Example[] = [
  { name: 'express', script: 'examples/express/server.js' },
  { name: 'fastify', script: 'examples/fastify/server.js' },
  { name: 'koa', script: 'examples/koa/server.js' },
  { name: 'nestjs_express', script: 'examples/nestjs/server.js', excluded: ['/health'] },
  { name: 'nestjs_fastify', script: 'examples/nestjs/server.js', args: ['--fastify'], excluded: ['/health'] },
];

/** Every example; a missing one fails the run rather than dropping out of it. */
export function availableExamples(): Example[] {
  for (const e of ALL) if (!existsSync(join(ROOT, e.script))) throw new Error(`example ${e.name} is missing: ${e.script}`);
  return ALL;
}

export interface PlannedRequest {
  method: string;
  path: string;
  route: string;
  status: number;
  count: number;
  body?: string;
}

/** The known traffic, with the route template and status each request must be recorded under. */
export const TRAFFIC: PlannedRequest[] = [
  { method: 'GET', path: '/api/v1/users/{i}', route: '/api/v1/users/:id', status: 200, count: 20 },
  { method: 'POST', path: '/api/v1/users', route: '/api/v1/users', status: 201, count: 5, body: '{"name":"ada"}' },
  { method: 'GET', path: '/slow', route: '/slow', status: 200, count: 4 },
  { method: 'GET', path: '/error', route: '/error', status: 500, count: 3 },
  { method: 'GET', path: '/health', route: '/health', status: 200, count: 2 },
  { method: 'GET', path: '/no/such/path/{i}', route: '__unmatched__', status: 404, count: 6 },
];

export const EXAMPLES_ROOT = ROOT;
export const scriptPath = (e: Example) => join(ROOT, e.script);

/** Fastify 5 and Fastify 4, for running one suite against both; and small helpers over them. */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Registry } from 'prom-client';
import { metrics, type FastifyMetricsOptions } from '@promwire/fastify';
import { parseExposition, type Exposition } from '../../../test/helpers/exposition';

/*
 * light-my-request 6.8 (Fastify 5's `inject`) requires cookie 2, an ES module, which jest cannot
 * `require` on Node 20. Its one import, `stringifySetCookie`, is given here from the CommonJS
 * cookie 0.7 (`serialize` encodes the same way). Fastify 4's light-my-request needs nothing.
 */
jest.mock(
  '../../../node_modules/light-my-request/node_modules/cookie/dist/index.js',
  () => {
    const { serialize } = jest.requireActual<{ serialize: (name: string, value: string) => string }>('cookie');
    return { stringifySetCookie: ({ name, value }: { name: string; value: string }) => serialize(name, value) };
  },
);

export type FastifyFactory = (options?: Record<string, unknown>) => FastifyInstance;

export const VERSIONS: [string, FastifyFactory][] = [
  ['fastify 5', require('fastify') as FastifyFactory],
  ['fastify 4', require('fastify4') as FastifyFactory],
];

/** An app with the plugin registered on a fresh registry, without default process metrics. */
export async function appWith(
  fastify: FastifyFactory,
  options: FastifyMetricsOptions = {},
): Promise<{ app: FastifyInstance; registry: Registry }> {
  // promwire's Registry type is either client's; these tests build prom-client's.
  const registry = (options.registry as Registry | undefined) ?? new Registry();
  const app = fastify();
  await app.register(metrics, { registry, defaultMetrics: false, ...options });
  return { app, registry };
}

/** GET /metrics (or `path`) through `inject`, parsed; fails the test unless it answers 200. */
export async function scrape(app: FastifyInstance, path = '/metrics', headers: InjectOptions['headers'] = {}): Promise<Exposition> {
  const res = await app.inject({ method: 'GET', url: path, headers });
  if (res.statusCode !== 200) throw new Error(`scrape answered ${res.statusCode}: ${res.body}`);
  return parseExposition(res.body);
}

/** Every `route` label value of `http_requests_total`. */
export function routes(exposition: Exposition): string[] {
  return [...new Set(exposition.find('http_requests_total').map((s) => s.labels.route!))].sort();
}

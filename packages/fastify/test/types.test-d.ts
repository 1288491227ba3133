/** Type tests of @promwire/fastify, checked by `npx tsc -p tsconfig.typetest.json`. */
import Fastify, { type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { expectTypeOf } from 'expect-type';
import type { RequestState } from '@promwire/core/adapter';
import metricsDefault, { metrics, type FastifyMetricsOptions, type FastifyRequestState } from '../src';

// The plugin, as the default and as the named export.
expectTypeOf(metrics).toEqualTypeOf<FastifyPluginAsync<FastifyMetricsOptions>>();
expectTypeOf(metricsDefault).toEqualTypeOf<typeof metrics>();

const app = Fastify();
app.register(metrics);
app.register(metricsDefault, { registry: new Registry() });

// Callbacks receive Fastify's own request and reply.
app.register(metrics, {
  prefix: 'myapp_',
  path: '/internal/metrics',
  auth: { bearer: 'token' },
  labels: {
    tenant: (request, reply) => {
      expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
      expectTypeOf(reply).toEqualTypeOf<FastifyReply>();
      return String(request.headers['x-tenant']);
    },
    region: 'eu-west-1',
  },
  skip: (request) => {
    expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
    return request.url === '/health';
  },
  getRoute: (request, reply) => {
    expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
    expectTypeOf(reply).toEqualTypeOf<FastifyReply>();
    return request.routeOptions.url;
  },
  exclude: ['/health', /^\/internal\//],
});
app.register(metrics, { path: false, auth: { basic: { username: 'u', password: 'p' } } });

// Declaration merging: the request decoration and the route opt-out.
app.get('/users/:id', async (request) => {
  expectTypeOf(request.promwire).toEqualTypeOf<RequestState<FastifyRequest, FastifyReply> | null>();
  expectTypeOf(request.promwire).toEqualTypeOf<FastifyRequestState | null>();
  expectTypeOf(request.routeOptions.config.metrics).toEqualTypeOf<boolean | undefined>();
  return 'ok';
});
app.get('/events', { config: { metrics: false } }, async () => 'quiet');
app.route({ method: 'GET', url: '/ping', config: { metrics: true }, handler: async () => 'pong' });

// Mistakes that must not compile.
// @ts-expect-error unknown option
app.register(metrics, { bogus: true });
// @ts-expect-error path is a string or false
app.register(metrics, { path: 9090 });
// @ts-expect-error a label function returns a string
app.register(metrics, { labels: { n: () => 1 } });
// @ts-expect-error skip returns a boolean
app.register(metrics, { skip: () => 'yes' });
// @ts-expect-error getRoute returns a string or undefined
app.register(metrics, { getRoute: () => 42 });
// @ts-expect-error config.metrics is a boolean
app.get('/x', { config: { metrics: 'no' } }, async () => 'x');

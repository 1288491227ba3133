import type { Request, RequestHandler, Response } from 'express';
import { expectTypeOf } from 'expect-type';
import { Registry } from 'prom-client';
import { metrics, type ExpressMetricsOptions } from '../src';

expectTypeOf(metrics).returns.toEqualTypeOf<RequestHandler>();
expectTypeOf(metrics).parameter(0).toEqualTypeOf<ExpressMetricsOptions | undefined>();

// Callbacks receive Express's own request and response types.
metrics({
  registry: new Registry(),
  labels: {
    region: 'eu',
    tenant: (req, res) => {
      expectTypeOf(req).toEqualTypeOf<Request>();
      expectTypeOf(res).toEqualTypeOf<Response>();
      return String(req.headers['x-tenant']);
    },
  },
  skip: (req) => req.path === '/health',
  getRoute: (req) => (req.route ? String(req.route.path) : undefined),
  auth: { basic: { username: 'prom', password: 'secret' } },
  exclude: ['/health', /^\/internal/],
  naming: 'otel',
  path: false,
});

// @ts-expect-error naming is one of two schemes
metrics({ naming: 'prom' });
// @ts-expect-error a label is a string or a function returning one
metrics({ labels: { tenant: 42 } });
// @ts-expect-error buckets are numbers
metrics({ durationBuckets: ['fast'] });
// @ts-expect-error auth takes a bearer token, basic credentials or a function
metrics({ auth: { token: 'x' } });

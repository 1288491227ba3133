import type { DynamicModule, FactoryProvider } from '@nestjs/common';
import { expectTypeOf } from 'expect-type';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, Histogram } from '@promwire/core';
import { Registry } from 'prom-client';
import {
  ExcludeFromMetrics, InjectMetric, MetricsModule, type MetricsModuleOptions, type MetricsOptionsFactory,
  makeCounterProvider, makeHistogramProvider,
} from '../src';

expectTypeOf(MetricsModule.forRoot).returns.toEqualTypeOf<DynamicModule>();
expectTypeOf(MetricsModule.forRoot).parameter(0).toEqualTypeOf<MetricsModuleOptions | undefined>();

// Callbacks receive Node's request and response on both platforms.
MetricsModule.forRoot({
  registry: new Registry(),
  labels: {
    tenant: (req, res) => {
      expectTypeOf(req).toEqualTypeOf<IncomingMessage>();
      expectTypeOf(res).toEqualTypeOf<ServerResponse>();
      return String(req.headers['x-tenant']);
    },
  },
  skip: (req) => req.url === '/health',
  getRoute: (req, res) => {
    expectTypeOf(req).toEqualTypeOf<IncomingMessage>();
    expectTypeOf(res).toEqualTypeOf<ServerResponse>();
    return req.url?.startsWith('/legacy/') ? '/legacy/*' : undefined;
  },
  auth: { bearer: 'token' },
  path: '/internal/metrics',
});

// @ts-expect-error getRoute answers a string or undefined
MetricsModule.forRoot({ getRoute: () => 42 });

// @ts-expect-error naming is one of two schemes
MetricsModule.forRoot({ naming: 'prom' });

// A factory's parameters are whatever it injects.
MetricsModule.forRootAsync({
  inject: ['CONFIG'],
  useFactory: (config: { prefix: string }) => ({ prefix: config.prefix }),
});
MetricsModule.forRootAsync({ useFactory: async () => ({ defaultMetrics: false }) });

class Options implements MetricsOptionsFactory {
  createMetricsOptions(): MetricsModuleOptions {
    return {};
  }
}
MetricsModule.forRootAsync({ useClass: Options });
MetricsModule.forRootAsync({ useExisting: Options });
// @ts-expect-error a useClass must build the options
MetricsModule.forRootAsync({ useClass: class {} });
// @ts-expect-error a factory answers options
MetricsModule.forRootAsync({ useFactory: () => 42 });

// Label names are inferred into the metric's type.
expectTypeOf(makeCounterProvider({ name: 'a_total', help: 'a', labelNames: ['kind'] })).toEqualTypeOf<
  FactoryProvider<Counter<'kind'>>
>();
expectTypeOf(makeHistogramProvider({ name: 'b_seconds', help: 'b', buckets: [0.1, 1] })).toEqualTypeOf<
  FactoryProvider<Histogram<string>>
>();
// @ts-expect-error the module chooses the registry
makeCounterProvider({ name: 'c_total', help: 'c', registers: [new Registry()] });

expectTypeOf(InjectMetric('a_total')).toEqualTypeOf<PropertyDecorator & ParameterDecorator>();
expectTypeOf(ExcludeFromMetrics()).toMatchTypeOf<ClassDecorator>();
expectTypeOf(ExcludeFromMetrics()).toMatchTypeOf<MethodDecorator>();

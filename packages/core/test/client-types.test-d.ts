// Type tests of the client seam: promwire's types fit both clients' registries and metrics.
import * as io from '@prometheus-io/client';
import { expectTypeOf } from 'expect-type';
import * as pc from 'prom-client';
import {
  type ClientName, Counter, Histogram, type Registry, createHttpMetrics, createMetricsEndpoint, defaultRegistry, startMetricsServer,
} from '../src';

// A registry of either client, the global ones and the cluster ones, is promwire's Registry.
createHttpMetrics({ registry: new pc.Registry() });
createHttpMetrics({ registry: pc.register });
createHttpMetrics({ registry: new pc.AggregatorRegistry() });
createHttpMetrics({ registry: new io.Registry() });
createHttpMetrics({ registry: io.register });
createHttpMetrics({ registry: new io.ClusterRegistry() });
createMetricsEndpoint({ registry: new io.Registry() });

// The client, by package name, where no registry is given.
createHttpMetrics({ client: 'prom-client' });
void startMetricsServer({ client: '@prometheus-io/client' });
expectTypeOf<ClientName>().toEqualTypeOf<'@prometheus-io/client' | 'prom-client'>();
// @ts-expect-error the client is one of the two package names
createHttpMetrics({ client: 'prometheus' });
expectTypeOf(defaultRegistry()).toEqualTypeOf<Registry>();

// promwire's metric classes infer label names like the clients' own.
const orders = new Counter({ name: 'orders_total', help: 'Orders.', labelNames: ['kind'], registers: [new io.Registry()] });
expectTypeOf(orders).toEqualTypeOf<Counter<'kind'>>();
orders.inc({ kind: 'web' });
// @ts-expect-error not a label of this counter
orders.inc({ region: 'eu' });
new Histogram({ name: 'db_seconds', help: 'DB.', buckets: [0.1, 1], registers: [new pc.Registry()] }).observe(0.2);

// Either client's own metrics fit promwire's metric types.
const theirs: Counter<'kind'> = new io.Counter({ name: 'a_total', help: 'a', labelNames: ['kind'] });
const ours: Counter<'kind'> = new pc.Counter({ name: 'b_total', help: 'b', labelNames: ['kind'] });
void theirs;
void ours;

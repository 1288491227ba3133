/**
 * `Counter`, `Gauge`, `Histogram` and `Summary` as promwire re-exports them: `new Counter(config)`
 * builds the class of the client that owns `config.registers[0]`, or, with no registry, of the
 * default client (see `chooseDefaultClient`). Nothing is loaded until one is constructed, and
 * `instanceof` accepts a metric of that kind from either installed client.
 */
import type { Client, ClientChoice, ClientModule, LoadClient } from './select';
import { chooseDefaultClient, clientOfRegistry, installedClients } from './select';

type Kind = 'Counter' | 'Gauge' | 'Histogram' | 'Summary';

/** How a metric class finds its client: the loader, and the default's sources. */
export interface MetricClassContext {
  load: LoadClient;
  choice: () => ClientChoice;
}

/** The client a metric configured with `config` is built with. */
export function clientForConfig(config: unknown, clients: readonly Client[], choice: ClientChoice): Client {
  const registers = (config as { registers?: unknown } | null | undefined)?.registers;
  const first: unknown = Array.isArray(registers) ? registers[0] : undefined;
  if (typeof first === 'object' && first !== null) {
    const owner = clientOfRegistry(first, clients);
    if (owner !== undefined) return owner;
  }
  return chooseDefaultClient('@promwire/core', clients, choice);
}

/** A constructor that builds `kind` of the right client; see the module comment. */
export function lazyMetricClass(kind: Kind, context: MetricClassContext): new (config: never) => object {
  function LazyMetric(this: unknown, config: unknown): object {
    if (new.target === undefined) throw new TypeError(`Class constructor ${kind} cannot be invoked without 'new'`);
    const clients = installedClients(context.load);
    const Real = clientForConfig(config, clients, context.choice()).module[kind] as new (config: unknown) => object;
    return new Real(config);
  }
  Object.defineProperty(LazyMetric, 'name', { value: kind });
  Object.defineProperty(LazyMetric, Symbol.hasInstance, {
    value: (value: unknown): boolean =>
      typeof value === 'object' && value !== null &&
      installedClients(context.load).some((c) => value instanceof (c.module as ClientModule)[kind]),
  });
  return LazyMetric as unknown as new (config: never) => object;
}

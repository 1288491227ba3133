/**
 * Fastify 4 and 5, by Fastify's own extension point: the `fastify.initialization` diagnostics
 * channel, published by every instance as it is created (whether the app required it, imported
 * it or bundled it). The `@promwire/fastify` plugin is applied to the new instance right away,
 * before the app adds routes, as `app.register(metrics)` would (it is fastify-plugin, so it
 * lives on the root instance). An own `@promwire/fastify` plugin or Nest MetricsModule
 * registered later takes the instance over (core's YIELDS).
 */
import { type AutoContext, RANK } from './context';
import { reason, report } from './log';

type Plugin = (instance: unknown, options: unknown) => Promise<void> | void;

export function fastifyInitialized(ctx: AutoContext, message: unknown): void {
  if (!ctx.enabled('fastify')) return;
  const instance = (message as { fastify?: unknown }).fastify;
  if (typeof instance !== 'object' || instance === null) return;
  const adapter = ctx.adapter<{ metrics: Plugin }>('fastify', '@promwire/fastify');
  if (adapter === undefined) return;
  try {
    void Promise.resolve(adapter.metrics(instance, ctx.options('fastify', RANK.framework))).catch(failed);
  } catch (error) {
    failed(error);
  }
}

function failed(error: unknown): void {
  report(`Fastify is recorded as any HTTP server (route "__unmatched__"): ${reason(error)}`);
}

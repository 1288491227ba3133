/**
 * `genAiMetrics()`: the checked way to configure the generative-AI API metrics, which
 * `@promwire/core` records for every adapter from its request lifecycle (one implementation
 * for Express, Fastify, Koa, NestJS and `@promwire/auto`).
 */
import type { GenAiOptions } from '@promwire/core';
import { resolveGenAiOptions } from '@promwire/core/adapter';
import { PKG } from './options';

/**
 * The GenAI settings for an adapter's `genai` option, checked now: a bad route or size throws a
 * `TypeError` prefixed `@promwire/ml:`. Every adapter reads `/v1/chat/completions`,
 * `/v1/completions` and `/v1/embeddings` by default; this chooses other routes, by exact path
 * or route template (`:param` is one segment), with the operation implied by the path's end or
 * given. The metrics go to the adapter's registry, with its `prefix` and `maxLabelValues`.
 *
 * @example
 * app.use(metrics({
 *   genai: genAiMetrics({ routes: ['/v1/chat/completions', { path: '/api/generate', operation: 'text_completion' }] }),
 * }));
 */
export function genAiMetrics(options: GenAiOptions = {}): GenAiOptions {
  resolveGenAiOptions(PKG, options);
  const routes = options.routes?.map((r) => (typeof r === 'string' ? r : Object.freeze({ ...r })));
  return Object.freeze({ ...options, ...(routes === undefined ? {} : { routes: Object.freeze(routes) }) });
}

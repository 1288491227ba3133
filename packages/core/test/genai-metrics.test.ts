/**
 * The GenAI recorder's counters past the first 16 series of a family, where its value column
 * is replaced by a larger one: every increment lands, the one that made the column grow too.
 */
import { Registry } from 'prom-client';
import { GenAiMetrics } from '../src/genai/genai-metrics';
import { parseExposition } from '../../../test/helpers/exposition';

const MODELS = Array.from({ length: 40 }, (_, i) => `model-${i}`);

describe('GenAiMetrics past its families\' first columns', () => {
  it('counts every request, token and unread event of 40 models (160 token series)', async () => {
    const registry = new Registry();
    const metrics = new GenAiMetrics('@promwire/core', registry, '', 1000);
    for (const model of MODELS) {
      const series = metrics.seriesFor('chat', model);
      metrics.begin(series);
      metrics.unreadOne('chat', `reason-${model}`);
      metrics.end({
        series, stream: true, finishReason: 'stop', errorType: '', seconds: 0.5,
        usage: { input: 11, output: 5, cachedInput: 3, reasoning: 2 }, ttft: 0.1, usageMissing: true,
      }, true);
    }
    const m = parseExposition(await registry.metrics());
    const figures = MODELS.map((model) => {
      const labels = { gen_ai_operation_name: 'chat', gen_ai_request_model: model };
      return [model, [
        m.value('gen_ai_server_requests_total', labels),
        m.value('gen_ai_server_tokens_total', { ...labels, gen_ai_token_type: 'input' }),
        m.value('gen_ai_server_tokens_total', { ...labels, gen_ai_token_type: 'output' }),
        m.value('gen_ai_server_tokens_total', { ...labels, gen_ai_token_type: 'cached_input' }),
        m.value('gen_ai_server_tokens_total', { ...labels, gen_ai_token_type: 'reasoning' }),
        m.value('gen_ai_server_stream_usage_missing_total', labels),
        m.value('promwire_genai_unread_total', { reason: `reason-${model}` }),
        m.value('gen_ai_server_requests_in_flight', labels),
      ].join(' ')];
    });
    expect(Object.fromEntries(figures)).toEqual(Object.fromEntries(MODELS.map((model) => [model, '1 11 5 3 2 1 1 0'])));
    expect(m.sum('gen_ai_server_tokens_total')).toBe(MODELS.length * (11 + 5 + 3 + 2));
  });
});

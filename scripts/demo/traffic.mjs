// The demo's traffic to examples/ml-inference: predictions on both runtimes (one flower and
// batches), OpenAI-compatible chat completions (streamed and not) and embeddings, a route that
// does not exist and bad input. Every request is bounded by a timeout; none is retried.

const FLOWERS = [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]];
const rows = (n) => Array.from({ length: n }, (_, i) => FLOWERS[i % FLOWERS.length]);
const json = (body) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const chat = (model, extra) => json({ model, messages: [{ role: 'user', content: 'Describe the iris setosa.' }], max_tokens: 24, seed: 7, ...extra });

/** What the demo sends, in order: [kind, method, path, init, expected status class]. */
export function plan(model) {
  return [
    ...['onnx', 'tfjs'].flatMap((runtime) => [1, 4, 32, 1].map((n) => [
      `predict ${runtime}`, 'POST', `/v1/predict?runtime=${runtime}`, json({ inputs: n === 1 ? FLOWERS[0] : rows(n) }), 2,
    ])),
    ['chat', 'POST', '/v1/chat/completions', chat(model, {}), 2],
    ['chat', 'POST', '/v1/chat/completions', chat(model, { max_tokens: 8 }), 2],
    ['chat streamed', 'POST', '/v1/chat/completions', chat(model, { stream: true, stream_options: { include_usage: true } }), 2],
    ['chat streamed', 'POST', '/v1/chat/completions', chat(model, { stream: true, stream_options: { include_usage: true }, max_tokens: 12 }), 2],
    ['chat streamed, no usage asked', 'POST', '/v1/chat/completions', chat(model, { stream: true }), 2],
    ['text completion', 'POST', '/v1/completions', json({ model, prompt: 'The iris', max_tokens: 12, seed: 7 }), 2],
    ['embeddings', 'POST', '/v1/embeddings', json({ model, input: ['iris setosa', 'iris virginica'] }), 2],
    ['404', 'GET', '/v1/no-such-route', {}, 4],
    ['bad input', 'POST', '/v1/predict', json({ inputs: [1, 2, 3] }), 4],
    ['bad input', 'POST', '/v1/predict', { headers: { 'content-type': 'application/json' }, body: '{"inputs": [' }, 4],
    ['chat error (unknown model)', 'POST', '/v1/chat/completions', chat('no-such-model', {}), 4],
  ];
}

/** The model the example serves, from its OpenAI-compatible /v1/models: { status, model }. */
async function servedModel(base) {
  try {
    const res = await fetch(`${base}/v1/models`, { signal: AbortSignal.timeout(5000) });
    const body = await res.json().catch(() => undefined);
    return { status: res.status, model: body?.data?.find((m) => typeof m?.id === 'string')?.id };
  } catch (error) {
    return { status: `failed: ${error.message}`, model: undefined };
  }
}

/**
 * Sends the plan to `base` and reads every body to its end (streams included). Answers
 * { sent, kinds: Map<kind, statuses[]>, absent: kinds answered 404 that the example should
 * serve, model }.
 */
export async function sendTraffic(base) {
  const served = await servedModel(base);
  const model = served.model ?? 'iris-chat';
  const kinds = new Map([['models list', [served.status]]]);
  const absent = new Set();
  let sent = 1;
  for (const [kind, method, path, init, expected] of plan(model)) {
    let status;
    try {
      const res = await fetch(`${base}${path}`, { method, ...init, signal: AbortSignal.timeout(30000) });
      await res.arrayBuffer();
      status = res.status;
    } catch (error) {
      status = `failed: ${error.message}`;
    }
    sent++;
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind).push(status);
    if (status === 404 && expected !== 4) absent.add(path);
  }
  return { sent, kinds, absent: [...absent], model };
}

/** One line per kind: `predict onnx ×4 (200)`. */
export function describeTraffic({ kinds }) {
  return [...kinds].map(([kind, statuses]) => `${kind} ×${statuses.length} (${[...new Set(statuses)].join(', ')})`).join(', ');
}

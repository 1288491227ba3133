/**
 * examples/ml-inference, started as a process on a free loopback port: predictions from both
 * runtimes, bad input answered 400, and what /metrics shows an operator. The same app run bare
 * (app.js, no promwire) answers the same bytes.
 */
import { eventually, request, scrape } from '../helpers/http';
import { startExample, type Running } from '../helpers/processes';

jest.setTimeout(60000);

let instrumented: Running;
let bare: Running;
beforeAll(async () => {
  // Both start together; when one fails, the other is stopped before failing, so no process outlives the test.
  const settled = await Promise.allSettled([
    startExample('examples/ml-inference/server.js'),
    startExample('examples/ml-inference/app.js'),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  [instrumented, bare] = settled.map((s) => (s as PromiseFulfilledResult<Running>).value) as [Running, Running];
});
afterAll(async () => {
  await Promise.all([instrumented?.stop(), bare?.stop()]);
});

const post = (base: string, path: string, body: unknown) =>
  request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const single = { inputs: [5.1, 3.5, 1.4, 0.2] };
const batch = (n: number) => ({ inputs: Array.from({ length: n }, (_, i) => [[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]][i % 3]) });

test('predictions from both runtimes agree, and equal the bare app\'s byte for byte', async () => {
  for (const runtime of ['onnx', 'tfjs']) {
    for (const body of [single, batch(4), batch(32)]) {
      const path = `/v1/predict?runtime=${runtime}`;
      const [withMetrics, without] = await Promise.all([post(instrumented.url, path, body), post(bare.url, path, body)]);
      expect(withMetrics.status).toBe(200);
      expect(withMetrics.body).toBe(without.body);
    }
  }
  const onnx = JSON.parse((await post(instrumented.url, '/v1/predict?runtime=onnx', batch(3))).body);
  const tfjs = JSON.parse((await post(instrumented.url, '/v1/predict?runtime=tfjs', batch(3))).body);
  expect(onnx.predictions.map((p: { class: string }) => p.class)).toEqual(['setosa', 'versicolor', 'virginica']);
  expect(tfjs.predictions.map((p: { class: string }) => p.class)).toEqual(['setosa', 'versicolor', 'virginica']);
  const single_ = JSON.parse((await post(instrumented.url, '/v1/predict', single)).body);
  expect(single_).toMatchObject({ runtime: 'onnx', model: 'iris', prediction: { class: 'setosa' } });
});

test.each<[string, string, unknown]>([
  ['three features', '/v1/predict', { inputs: [1, 2, 3] }],
  ['a string', '/v1/predict', { inputs: [1, 2, 3, 'x'] }],
  ['no inputs', '/v1/predict', {}],
  ['a ragged batch', '/v1/predict', { inputs: [[1, 2, 3, 4], [1, 2]] }],
  ['too many rows', '/v1/predict', batch(257)],
  ['not JSON', '/v1/predict', '{"inputs": ['],
  ['an unknown runtime', '/v1/predict?runtime=torch', single],
])('%s: 400', async (_, path, body) => {
  const reply = await post(instrumented.url, path, body);
  expect(reply.status).toBe(400);
  expect(JSON.parse(reply.body).error).toEqual(expect.any(String));
});

test('/metrics shows model loads, inferences by runtime, batch sizes and the HTTP route', async () => {
  // The requests above: 9 answered 200, 7 answered 400, one of them (not JSON) refused by the
  // body parser before any route matched. An HTTP request is recorded once its response has
  // finished, which may come just after the client read it.
  const route = { method: 'POST', route: '/v1/predict' };
  await eventually(async () => {
    const e = await scrape(instrumented.url);
    return (
      e.value('http_requests_total', { ...route, status_code: '200' }) === 9 &&
      e.value('http_requests_total', { ...route, status_code: '400' }) === 6 &&
      e.value('http_requests_total', { method: 'POST', route: '__unmatched__', status_code: '400' }) === 1
    );
  });
  const e = await scrape(instrumented.url);
  for (const runtime of ['onnxruntime-node', 'tfjs']) {
    const model = { model: 'iris', runtime };
    expect(e.value('ml_model_load_duration_seconds_count', { ...model, outcome: 'success' })).toBe(1);
    // Batches of 1, 4, 32 and 3 (single input is a batch of 1); the first runtime also answered one more single.
    const extra = runtime === 'onnxruntime-node' ? 1 : 0;
    expect(e.value('ml_inference_duration_seconds_count', { ...model, outcome: 'success' })).toBe(4 + extra);
    expect(e.value('ml_inference_in_flight', model)).toBe(0);
    expect(e.value('ml_inference_batch_size_sum', model)).toBe(1 + 4 + 32 + 3 + extra);
    for (const [le, count] of [['1', 1 + extra], ['2', 1 + extra], ['4', 3 + extra], ['16', 3 + extra], ['32', 4 + extra]] as const) {
      expect(e.value('ml_inference_batch_size_bucket', { ...model, le })).toBe(count);
    }
    expect(e.find('ml_inference_duration_seconds_count', { ...model, outcome: 'error' })).toEqual([]);
  }
});

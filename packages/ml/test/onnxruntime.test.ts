/**
 * @jest-environment ./packages/ml/test/environment.js
 */
/**
 * @promwire/ml on onnxruntime-node, with real inference on the example's iris classifier:
 * every assertion reads the registry's exposition.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { instrumentOnnxRuntime, type Unpatch } from '../src';
import { IRIS_ONNX_PATH, addOneOnnx, buckets, exposition, inFlight, irisOnnx, irisRows, newRegistry } from './support';

const RUNTIME = 'onnxruntime-node';
const features = (rows: number[][]) => new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]);

let unpatch: Unpatch | undefined;
afterEach(() => {
  unpatch?.();
  unpatch = undefined;
});

test('a model loaded from a path is named after its file; its load and runs are recorded', async () => {
  const registry = newRegistry();
  unpatch = instrumentOnnxRuntime(ort, { registry });
  const session = await ort.InferenceSession.create(IRIS_ONNX_PATH);
  for (const n of [1, 4, 32]) await session.run({ features: features(irisRows(n)) });

  const e = await exposition(registry);
  const model = { model: 'iris', runtime: RUNTIME };
  expect(e.value('ml_model_load_duration_seconds_count', { ...model, outcome: 'success' })).toBe(1);
  expect(e.value('ml_model_load_duration_seconds_sum', { ...model, outcome: 'success' })).toBeGreaterThan(0);
  expect(e.value('ml_inference_duration_seconds_count', { ...model, outcome: 'success' })).toBe(3);
  expect(e.value('ml_inference_duration_seconds_sum', { ...model, outcome: 'success' })).toBeGreaterThan(0);
  expect(e.value('ml_inference_batch_size_count', model)).toBe(3);
  expect(e.value('ml_inference_batch_size_sum', model)).toBe(37);
  expect(buckets(e, 'ml_inference_batch_size', model)).toEqual({
    '1': 1, '2': 1, '4': 2, '8': 2, '16': 2, '32': 3, '64': 3, '128': 3, '256': 3, '+Inf': 3,
  });
  expect(e.value('ml_inference_in_flight', model)).toBe(0);
  expect(e.find('ml_inference_duration_seconds_count', { outcome: 'error' })).toEqual([]);
});

test('batch sizes fall in the given batchBuckets: a size equal to a bound counts in that bucket', async () => {
  const registry = newRegistry();
  unpatch = instrumentOnnxRuntime(ort, { registry, batchBuckets: [2, 8] });
  const session = await ort.InferenceSession.create(irisOnnx(), { logId: 'iris' });
  for (const n of [1, 2, 3, 8, 9]) await session.run({ features: features(irisRows(n)) });
  const e = await exposition(registry);
  const model = { model: 'iris', runtime: RUNTIME };
  expect(buckets(e, 'ml_inference_batch_size', model)).toEqual({ '2': 2, '8': 4, '+Inf': 5 });
  expect(e.value('ml_inference_batch_size_sum', model)).toBe(23);
  expect(e.value('ml_inference_duration_seconds_count', { ...model, outcome: 'success' })).toBe(5);
});

test('the inference buckets are the SPEC ones', async () => {
  const registry = newRegistry();
  unpatch = instrumentOnnxRuntime(ort, { registry });
  const session = await ort.InferenceSession.create(irisOnnx(), { logId: 'iris' });
  await session.run({ features: features(irisRows(1)) });
  const e = await exposition(registry);
  expect(e.find('ml_inference_duration_seconds_bucket', { model: 'iris' }).map((b) => b.labels.le)).toEqual(
    ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'],
  );
});

describe('a model given as bytes', () => {
  test.each<[string, Parameters<typeof instrumentOnnxRuntime>[1], object | undefined, string]>([
    ['the modelName option', { modelName: 'iris-bytes' }, undefined, 'iris-bytes'],
    ['the session logId (a per-session name)', { modelName: 'fallback' }, { logId: 'iris-session' }, 'iris-session'],
    ['a modelName function', { modelName: (source) => (source instanceof Uint8Array ? `bytes-${source.length}` : undefined) }, undefined, `bytes-${irisOnnx().length}`],
    ['nothing: unnamed', {}, undefined, 'unnamed'],
  ])('is named by %s', async (_, options, sessionOptions, name) => {
    const registry = newRegistry();
    unpatch = instrumentOnnxRuntime(ort, { registry, ...options });
    const session = await ort.InferenceSession.create(irisOnnx(), sessionOptions);
    await session.run({ features: features(irisRows(2)) });
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: name, runtime: RUNTIME, outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_duration_seconds_count', { model: name, runtime: RUNTIME, outcome: 'success' })).toBe(1);
    expect(e.find('ml_inference_in_flight').map((s) => s.labels.model)).toEqual([name]);
  });

  test('an ArrayBuffer with offset and length, options last', async () => {
    const registry = newRegistry();
    unpatch = instrumentOnnxRuntime(ort, { registry });
    const bytes = irisOnnx();
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 8);
    const session = await ort.InferenceSession.create(padded.buffer, 8, bytes.length, { logId: 'iris-offset' });
    await session.run({ features: features(irisRows(1)) });
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris-offset', outcome: 'success' })).toBe(1);
  });
});

describe('failures count outcome="error" and reach the app unchanged', () => {
  async function errorOf(call: () => Promise<unknown>): Promise<Error> {
    try {
      await call();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a rejection');
  }

  test.each<[string, (s: ort.InferenceSession) => Promise<unknown>]>([
    ['a wrong input name', (s) => s.run({ wrong: features(irisRows(2)) })],
    ['a wrong input shape', (s) => s.run({ features: new ort.Tensor('float32', new Float32Array(6), [2, 3]) })],
  ])('%s', async (_, run) => {
    const bare = await ort.InferenceSession.create(irisOnnx());
    const expected = await errorOf(() => run(bare));

    const registry = newRegistry();
    unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'iris' });
    const session = await ort.InferenceSession.create(irisOnnx());
    const error = await errorOf(() => run(session));
    expect(error.constructor).toBe(expected.constructor);
    expect(error.message).toBe(expected.message);

    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', runtime: RUNTIME, outcome: 'error' })).toBe(1);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(0);
    expect(e.value('ml_inference_batch_size_count', { model: 'iris' })).toBe(0);
    expect(e.value('ml_inference_in_flight', { model: 'iris' })).toBe(0);
  });

  test('a load that fails: the error is the runtime\'s, the load counted as an error', async () => {
    const missing = join(dirname(IRIS_ONNX_PATH), 'absent.onnx');
    const expected = await errorOf(() => ort.InferenceSession.create(missing));
    const registry = newRegistry();
    unpatch = instrumentOnnxRuntime(ort, { registry });
    const error = await errorOf(() => ort.InferenceSession.create(missing));
    expect(error.constructor).toBe(expected.constructor);
    expect(error.message).toBe(expected.message);
    const notAModel = await errorOf(() => ort.InferenceSession.create(new Uint8Array([1, 2, 3]), { logId: 'garbage' }));
    expect(typeof notAModel.message).toBe('string'); // the binding's own Error, from the process realm
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'absent', runtime: RUNTIME, outcome: 'error' })).toBe(1);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'garbage', outcome: 'error' })).toBe(1);
  });
});

test('concurrent runs: all in flight while pending, 0 once settled', async () => {
  const registry = newRegistry();
  unpatch = instrumentOnnxRuntime(ort, { registry });
  const session = await ort.InferenceSession.create(IRIS_ONNX_PATH);
  const runs = Array.from({ length: 16 }, (_, i) => session.run({ features: features(irisRows(1 + (i % 4))) }));
  // onnxruntime-node runs each inference from a later turn of the event loop: all 16 are pending.
  // Read through the registry's synchronous collector interface, so no turn passes before it.
  expect(inFlight(registry, 'ml_inference_in_flight')).toEqual([{ labels: { model: 'iris', runtime: RUNTIME }, value: 16 }]);
  await Promise.all(runs);
  const e = await exposition(registry);
  expect(e.value('ml_inference_in_flight', { model: 'iris', runtime: RUNTIME })).toBe(0);
  expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(16);
});

test('outputs are bit for bit those of the uninstrumented runtime', async () => {
  const input = () => ({ features: features(irisRows(32)) });
  const bare = await (await ort.InferenceSession.create(IRIS_ONNX_PATH)).run(input());
  unpatch = instrumentOnnxRuntime(ort, { registry: newRegistry() });
  const instrumented = await (await ort.InferenceSession.create(IRIS_ONNX_PATH)).run(input());
  expect(Object.keys(instrumented)).toEqual(Object.keys(bare));
  const bits = (t: ort.Tensor) => Buffer.from((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength);
  expect(bits(instrumented.probabilities!).equals(bits(bare.probabilities!))).toBe(true);
  expect(instrumented.probabilities!).toBeInstanceOf(ort.Tensor);
  expect(instrumented.probabilities!.dims).toEqual([32, 3]);
});

test('fetches and run options pass through unchanged', async () => {
  unpatch = instrumentOnnxRuntime(ort, { registry: newRegistry() });
  const session = await ort.InferenceSession.create(irisOnnx(), { logId: 'iris' });
  const result = await session.run({ features: features(irisRows(2)) }, ['probabilities'], { logSeverityLevel: 3 });
  expect(Object.keys(result)).toEqual(['probabilities']);
});

test('unpatch restores the original functions and stops recording; instrumenting twice wraps once', async () => {
  // The class behind the factory type onnxruntime-common declares.
  const InferenceSession = ort.InferenceSession as typeof ort.InferenceSession & { prototype: { run: unknown } };
  const originals = { create: InferenceSession.create, run: InferenceSession.prototype.run };
  const registry = newRegistry();
  const first = instrumentOnnxRuntime(ort, { registry });
  const wrapped = { create: InferenceSession.create, run: InferenceSession.prototype.run };
  expect(wrapped.create).not.toBe(originals.create);
  const second = instrumentOnnxRuntime(ort, { registry });
  expect(second).toBe(first);
  expect(InferenceSession.create).toBe(wrapped.create);
  expect(InferenceSession.prototype.run).toBe(wrapped.run);

  const session = await InferenceSession.create(addOneOnnx(), { logId: 'add_one' });
  await session.run({ x: features(irisRows(1)) });
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'add_one' })).toBe(1);

  first();
  expect(InferenceSession.create).toBe(originals.create);
  expect(InferenceSession.prototype.run).toBe(originals.run);
  await session.run({ x: features(irisRows(1)) });
  await InferenceSession.create(addOneOnnx(), { logId: 'add_one' });
  const e = await exposition(registry);
  expect(e.value('ml_inference_duration_seconds_count', { model: 'add_one' })).toBe(1);
  expect(e.value('ml_model_load_duration_seconds_count', { model: 'add_one' })).toBe(1);
  first(); // a second unpatch does nothing
  expect(InferenceSession.create).toBe(originals.create);
});

test('a second call with other options records into the new registry, once', async () => {
  const a = newRegistry();
  const b = newRegistry();
  unpatch = instrumentOnnxRuntime(ort, { registry: a });
  const session = await ort.InferenceSession.create(irisOnnx(), { logId: 'iris' });
  instrumentOnnxRuntime(ort, { registry: b, prefix: 'app_' });
  await session.run({ features: features(irisRows(4)) });
  expect((await exposition(a)).find('ml_inference_duration_seconds_count')).toEqual([]);
  const e = await exposition(b);
  expect(e.value('app_ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(1);
  expect(e.value('app_ml_inference_batch_size_sum', { model: 'iris' })).toBe(4);
});

test('the example file is what scripts/build-models.js writes from code', () => {
  expect(Buffer.from(irisOnnx()).equals(readFileSync(IRIS_ONNX_PATH))).toBe(true);
});

/**
 * @promwire/ml on TensorFlow.js (pure JS, CPU backend), with real inference on the example's iris
 * classifier as a LayersModel (built in code, and loaded over loopback HTTP) and as a GraphModel:
 * every assertion reads the registry's exposition.
 */
import * as tf from '@tensorflow/tfjs';
import { instrumentTfjs, type Unpatch } from '../src';
import type { Listening } from '../../../test/helpers/http';
import {
  buckets, exposition, inFlight, irisGraphModelArtifacts, irisRows, irisTfjs, modelServer, newRegistry, sandboxFetch,
} from './support';

const RUNTIME = 'tfjs';
const input = (n: number) => tf.tensor2d(irisRows(n), [n, 4]);

let unpatch: Unpatch | undefined;
let server: Listening | undefined;
beforeAll(async () => {
  await tf.setBackend('cpu');
  server = await modelServer();
});
afterAll(() => server?.close());
afterEach(() => {
  unpatch?.();
  unpatch = undefined;
});

function syncErrorOf(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

async function asyncErrorOf(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('LayersModel', () => {
  test('predict at batch sizes 1, 4 and 32, on a model built in code (named by its own name)', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry });
    const model = irisTfjs(tf);
    for (const n of [1, 4, 32]) model.predict(input(n));

    const e = await exposition(registry);
    const labels = { model: 'iris', runtime: RUNTIME };
    // A Sequential's predict runs its inner model's predict: one inference each, not two.
    expect(e.value('ml_inference_duration_seconds_count', { ...labels, outcome: 'success' })).toBe(3);
    expect(e.value('ml_inference_batch_size_sum', labels)).toBe(37);
    expect(buckets(e, 'ml_inference_batch_size', labels)).toEqual({
      '1': 1, '2': 1, '4': 2, '8': 2, '16': 2, '32': 3, '64': 3, '128': 3, '256': 3, '+Inf': 3,
    });
    expect(e.value('ml_inference_in_flight', labels)).toBe(0);
    expect(e.find('ml_inference_in_flight')).toHaveLength(1);
  });

  test('predictOnBatch and execute are inferences too', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry });
    const model = irisTfjs(tf);
    model.predictOnBatch(input(8));
    model.execute(input(2), model.outputs[0]!.name);
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(2);
    expect(e.value('ml_inference_batch_size_sum', { model: 'iris' })).toBe(10);
  });

  test('loadLayersModel from a URL: named after its folder, load recorded', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry, modelName: 'not-used-for-urls' });
    const model = await tf.loadLayersModel(`${server!.url}/iris/model.json`, { fetchFunc: sandboxFetch });
    model.predict(input(4));
    const failed = await asyncErrorOf(() => tf.loadLayersModel(`${server!.url}/absent/model.json`, { fetchFunc: sandboxFetch }));
    expect(failed.message).toMatch(/404/);

    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'iris', runtime: RUNTIME, outcome: 'success' })).toBe(1);
    expect(e.value('ml_model_load_duration_seconds_sum', { model: 'iris', outcome: 'success' })).toBeGreaterThan(0);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'absent', runtime: RUNTIME, outcome: 'error' })).toBe(1);
    expect(e.value('ml_inference_batch_size_sum', { model: 'iris', runtime: RUNTIME })).toBe(4);
  });

  test('a model loaded from memory gets the user\'s name', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry, modelName: (source) => (typeof source === 'object' ? 'iris-in-memory' : undefined) });
    const saved = await savedArtifacts(irisTfjs(tf));
    const model = await tf.loadLayersModel(tf.io.fromMemory(saved));
    model.predict(input(1));
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'iris-in-memory', outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris-in-memory', outcome: 'success' })).toBe(1);
  });

  test('a wrong input shape: outcome="error", the same error as without instrumentation', async () => {
    const bare = syncErrorOf(() => irisTfjs(tf).predict(tf.tensor2d([[1, 2, 3]])));
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry });
    const error = syncErrorOf(() => irisTfjs(tf).predict(tf.tensor2d([[1, 2, 3]])));
    expect(error.constructor).toBe(bare.constructor);
    expect(error.message).toBe(bare.message);
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', runtime: RUNTIME, outcome: 'error' })).toBe(1);
    expect(e.value('ml_inference_batch_size_count', { model: 'iris' })).toBe(0);
    expect(e.value('ml_inference_in_flight', { model: 'iris' })).toBe(0);
  });

  test('an error thrown inside the model reaches the caller as the same object', async () => {
    const thrown = new Error('from inside the layer');
    class Failing extends tf.layers.Layer {
      static readonly className = 'PromwireFailing';
      override call(): tf.Tensor {
        throw thrown;
      }
    }
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry });
    const model = tf.sequential({ name: 'failing', layers: [tf.layers.dense({ inputShape: [4], units: 2 }), new Failing({})] });
    expect(syncErrorOf(() => model.predict(input(2)))).toBe(thrown);
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'failing', outcome: 'error' })).toBe(1);
  });

  test('outputs are bit for bit those of the uninstrumented runtime, the same tensor objects returned', async () => {
    const model = irisTfjs(tf);
    const bare = (model.predict(input(32)) as tf.Tensor).dataSync();
    unpatch = instrumentTfjs(tf, { registry: newRegistry() });
    const output = model.predict(input(32)) as tf.Tensor;
    const instrumented = output.dataSync() as Float32Array;
    expect(Buffer.from(instrumented.buffer).equals(Buffer.from((bare as Float32Array).buffer))).toBe(true);
    expect(output).toBeInstanceOf(tf.Tensor);
    expect(output.shape).toEqual([32, 3]);
  });
});

describe('GraphModel', () => {
  test('loadGraphModel from a URL; predict, execute and executeAsync, each counted once', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry });
    const model = await tf.loadGraphModel(`${server!.url}/iris-graph/model.json`);
    model.predict(input(1)); // runs execute inside: one inference
    model.execute({ features: input(4) });
    await model.executeAsync(input(32));

    const e = await exposition(registry);
    const labels = { model: 'iris-graph', runtime: RUNTIME };
    expect(e.value('ml_model_load_duration_seconds_count', { ...labels, outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_duration_seconds_count', { ...labels, outcome: 'success' })).toBe(3);
    expect(buckets(e, 'ml_inference_batch_size', labels)).toEqual({
      '1': 1, '2': 1, '4': 2, '8': 2, '16': 2, '32': 3, '64': 3, '128': 3, '256': 3, '+Inf': 3,
    });
  });

  test('concurrent executeAsync: all in flight while pending, 0 once settled', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry, modelName: 'iris' });
    const model = await tf.loadGraphModel(tf.io.fromMemory(irisGraphModelArtifacts()));
    const runs = Array.from({ length: 8 }, (_, i) => model.executeAsync(input(1 + i)));
    expect(inFlight(registry, 'ml_inference_in_flight')).toEqual([{ labels: { model: 'iris', runtime: RUNTIME }, value: 8 }]);
    await Promise.all(runs);
    const e = await exposition(registry);
    expect(e.value('ml_inference_in_flight', { model: 'iris' })).toBe(0);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(8);
    expect(e.value('ml_inference_batch_size_sum', { model: 'iris' })).toBe(36);
  });

  test('a wrong input name: outcome="error", the same error as without instrumentation', async () => {
    const load = () => tf.loadGraphModel(tf.io.fromMemory(irisGraphModelArtifacts()));
    const bare = await asyncErrorOf(async () => (await load()).executeAsync({ wrong: input(2) }));
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry, modelName: 'iris' });
    const model = await load();
    const error = await asyncErrorOf(() => model.executeAsync({ wrong: input(2) }));
    expect(error.constructor).toBe(bare.constructor);
    expect(error.message).toBe(bare.message);
    const syncError = syncErrorOf(() => model.execute({ wrong: input(2) }));
    expect(syncError.message).toBe(bare.message);
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'error' })).toBe(2);
    expect(e.value('ml_inference_in_flight', { model: 'iris' })).toBe(0);
  });

  test('outputs are bit for bit those of the uninstrumented runtime', async () => {
    const model = await tf.loadGraphModel(tf.io.fromMemory(irisGraphModelArtifacts()));
    const bare = ((await model.executeAsync(input(32))) as tf.Tensor).dataSync() as Float32Array;
    unpatch = instrumentTfjs(tf, { registry: newRegistry() });
    const instrumented = ((await model.executeAsync(input(32))) as tf.Tensor).dataSync() as Float32Array;
    expect(Buffer.from(instrumented.buffer).equals(Buffer.from(bare.buffer))).toBe(true);
  });
});

describe('patching', () => {
  const functions = () => ({
    loadLayersModel: tf.loadLayersModel,
    loadGraphModel: tf.loadGraphModel,
    loadGraphModelSync: tf.loadGraphModelSync,
    layersPredict: tf.LayersModel.prototype.predict,
    layersExecute: tf.LayersModel.prototype.execute,
    sequentialPredict: tf.Sequential.prototype.predict,
    graphPredict: tf.GraphModel.prototype.predict,
    graphExecute: tf.GraphModel.prototype.execute,
    graphExecuteAsync: tf.GraphModel.prototype.executeAsync,
  });

  test('the loaders (re-exported through getters) and the model methods are wrapped; unpatch restores them all', async () => {
    const originals = functions();
    const registry = newRegistry();
    const first = instrumentTfjs(tf, { registry });
    const wrapped = functions();
    for (const key of Object.keys(originals) as (keyof typeof originals)[]) expect(wrapped[key]).not.toBe(originals[key]);

    expect(instrumentTfjs(tf, { registry })).toBe(first);
    expect(functions()).toEqual(wrapped);
    for (const key of Object.keys(originals) as (keyof typeof originals)[]) expect(functions()[key]).toBe(wrapped[key]);

    const model = irisTfjs(tf);
    model.predict(input(2));
    first();
    for (const key of Object.keys(originals) as (keyof typeof originals)[]) expect(functions()[key]).toBe(originals[key]);
    model.predict(input(2));
    await tf.loadLayersModel(`${server!.url}/iris/model.json`, { fetchFunc: sandboxFetch });
    const e = await exposition(registry);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(1);
    expect(e.find('ml_model_load_duration_seconds_count')).toEqual([]);
  });

  test('loadGraphModelSync is timed as it runs', async () => {
    const registry = newRegistry();
    unpatch = instrumentTfjs(tf, { registry, modelName: 'iris-sync' });
    const model = tf.loadGraphModelSync(tf.io.fromMemorySync(irisGraphModelArtifacts()));
    model.predict(input(2));
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'iris-sync', outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_duration_seconds_count', { model: 'iris-sync', outcome: 'success' })).toBe(1);
  });
});

/** The artifacts TF.js saves for `model`, to load it back from memory. */
async function savedArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** Options, checked once; families shared on a registry; the `model` cap. Stand-in runtime modules. */
import { Histogram } from 'prom-client';
import { instrumentOnnxRuntime, instrumentTfjs, type MlMetricsOptions, type OnnxRuntimeModule, type TfjsModule } from '../src';
import { exposition, newRegistry } from './support';

function standInOrt(): OnnxRuntimeModule & { InferenceSession: { create(source: unknown, options?: object): Promise<{ run(feeds: object): Promise<object> }> } } {
  class InferenceSession {
    static async create(): Promise<InferenceSession> {
      return new InferenceSession();
    }
    async run(): Promise<object> {
      return {};
    }
  }
  return { InferenceSession };
}

function standInTf(): TfjsModule & { LayersModel: new (name: string) => { predict(x: unknown): unknown } } {
  class LayersModel {
    constructor(readonly name: string) {}
    predict(): unknown {
      return {};
    }
  }
  return { LayersModel };
}

describe('bad options: one TypeError prefixed @promwire/ml', () => {
  test.each<[string, unknown, RegExp]>([
    ['not an object', 'iris', /options must be an object/],
    ['an unknown key', { modelname: 'x' }, /unknown option "modelname"/],
    ['an HTTP option', { path: '/metrics' }, /unknown option "path"/],
    ['an empty modelName', { modelName: '' }, /modelName must be a non-empty string or a function/],
    ['a number modelName', { modelName: 3 }, /modelName must be/],
    ['a bad prefix', { prefix: '1x' }, /prefix "1x" would make invalid metric names/],
    ['maxLabelValues 0', { maxLabelValues: 0 }, /maxLabelValues must be a positive integer/],
    ['decreasing buckets', { inferenceBuckets: [1, 0.5] }, /inferenceBuckets must be strictly increasing/],
    ['empty batch buckets', { batchBuckets: [] }, /batchBuckets must be a non-empty array/],
    ['a non-finite load bucket', { loadBuckets: [1, Infinity] }, /loadBuckets\[1\] must be a finite number/],
    ['a registry that is not one', { registry: {} }, /registry must be a prom-client Registry/],
  ])('%s', (_, options, message) => {
    for (const instrument of [() => instrumentOnnxRuntime(standInOrt(), options as MlMetricsOptions), () => instrumentTfjs(standInTf(), options as MlMetricsOptions)]) {
      expect(instrument).toThrow(TypeError);
      expect(instrument).toThrow(/^@promwire\/ml: /);
      expect(instrument).toThrow(message);
    }
  });
});

test('both runtimes on one registry share the families; prefix applies to every name', async () => {
  const registry = newRegistry();
  const ort = standInOrt();
  const tf = standInTf();
  const unpatchOrt = instrumentOnnxRuntime(ort, { registry, prefix: 'app_' });
  const unpatchTf = instrumentTfjs(tf, { registry, prefix: 'app_' });
  await (await ort.InferenceSession.create('/m/iris.onnx')).run({});
  new tf.LayersModel('iris').predict({ shape: [2, 4] });
  const e = await exposition(registry);
  expect(e.find('app_ml_inference_duration_seconds_count').map((s) => s.labels)).toEqual([
    { model: 'iris', runtime: 'onnxruntime-node', outcome: 'success' },
    { model: 'iris', runtime: 'tfjs', outcome: 'success' },
  ]);
  expect([...e.types.keys()].sort()).toEqual([
    'app_ml_inference_batch_size', 'app_ml_inference_duration_seconds', 'app_ml_inference_in_flight',
    'app_ml_model_load_duration_seconds', 'app_promwire_label_overflow_total',
  ]);
  unpatchOrt();
  unpatchTf();
});

test('a different configuration on the same registry is one clear error', () => {
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(standInOrt(), { registry });
  expect(() => instrumentTfjs(standInTf(), { registry, inferenceBuckets: [0.1, 1] })).toThrow(
    /^@promwire\/ml: metric "ml_inference_duration_seconds" is already registered in this registry with a different `inferenceBuckets` option/,
  );
  expect(() => instrumentTfjs(standInTf(), { registry, maxLabelValues: 5 })).toThrow(/different `maxLabelValues` option \(1000, asked for 5\)/);
  unpatch();
});

test('a name taken by other code is one clear error', () => {
  const registry = newRegistry();
  new Histogram({ name: 'ml_inference_duration_seconds', help: 'mine', registers: [registry as never] });
  expect(() => instrumentOnnxRuntime(standInOrt(), { registry })).toThrow(
    /^@promwire\/ml: a metric named "ml_inference_duration_seconds" is already registered in this registry by other code/,
  );
});

test('model names past maxLabelValues are recorded as __overflow__ and counted', async () => {
  const registry = newRegistry();
  const ort = standInOrt();
  const unpatch = instrumentOnnxRuntime(ort, { registry, maxLabelValues: 2 });
  for (const name of ['a', 'b', 'c', 'd']) await (await ort.InferenceSession.create(`/m/${name}.onnx`)).run({});
  const e = await exposition(registry);
  expect(e.find('ml_inference_duration_seconds_count').map((s) => [s.labels.model, s.value])).toEqual([['a', 1], ['b', 1], ['__overflow__', 2]]);
  expect(e.find('ml_model_load_duration_seconds_count').map((s) => [s.labels.model, s.value])).toEqual([['a', 1], ['b', 1], ['__overflow__', 2]]);
  // Every value recorded as __overflow__ is counted, by family (no batch: these feeds have no tensor).
  expect(e.value('promwire_label_overflow_total', { metric: 'ml_inference_duration_seconds', label: 'model' })).toBe(2);
  expect(e.value('promwire_label_overflow_total', { metric: 'ml_inference_in_flight', label: 'model' })).toBe(2);
  expect(e.value('promwire_label_overflow_total', { metric: 'ml_model_load_duration_seconds', label: 'model' })).toBe(2);
  expect(e.find('promwire_label_overflow_total', { metric: 'ml_inference_batch_size' })).toEqual([]);
  unpatch();
});

test('a model name is cut to 256 characters', async () => {
  const registry = newRegistry();
  const ort = standInOrt();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'x'.repeat(300) });
  await (await ort.InferenceSession.create(new Uint8Array(1))).run({});
  expect((await exposition(registry)).find('ml_inference_in_flight')[0]!.labels.model).toBe('x'.repeat(256));
  unpatch();
});

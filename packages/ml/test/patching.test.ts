/**
 * What the wrappers keep exactly (this, arguments, results, errors, sync vs async), checked on
 * stand-in runtime modules whose every call is observable; the real runtimes are in
 * onnxruntime.test.ts and tfjs.test.ts.
 */
import { instrumentOnnxRuntime, instrumentTfjs, type OnnxRuntimeModule, type TfjsModule } from '../src';
import { exposition, newRegistry } from './support';

interface Call {
  self: unknown;
  args: unknown[];
}

/** An ONNX-Runtime-shaped module: `create` and `run` record their calls and answer what they are told. */
function standInOrt() {
  const calls: Call[] = [];
  const answers = { created: {} as unknown, result: { probabilities: {} } as unknown, error: undefined as unknown, syncThrow: false, plain: undefined as unknown };
  class InferenceSession {
    static create(...args: unknown[]): Promise<InferenceSession> {
      calls.push({ self: this, args });
      if (answers.error !== undefined) return Promise.reject(answers.error);
      return Promise.resolve(new InferenceSession());
    }
    run(...args: unknown[]): unknown {
      calls.push({ self: this, args });
      if (answers.syncThrow) throw answers.error;
      if (answers.plain !== undefined) return answers.plain;
      if (answers.error !== undefined) return Promise.reject(answers.error);
      return Promise.resolve(answers.result);
    }
  }
  const ort = { InferenceSession, env: { versions: { node: '1.30.0' } } };
  return { ort: ort as OnnxRuntimeModule & typeof ort, calls, answers };
}

const feeds = () => ({ features: { dims: [4, 4] } });

test('run keeps this, the arguments and the result object', async () => {
  const { ort, calls, answers } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  const session = await ort.InferenceSession.create(new Uint8Array(1));
  const input = feeds();
  const fetches = ['probabilities'];
  const options = { tag: 1 };
  const result = await session.run(input, fetches, options);
  expect(result).toBe(answers.result);
  const call = calls.at(-1)!;
  expect(call.self).toBe(session);
  expect(call.args).toHaveLength(3);
  expect(call.args[0]).toBe(input);
  expect(call.args[1]).toBe(fetches);
  expect(call.args[2]).toBe(options);
  expect(calls[0]!.self).toBe(ort.InferenceSession);
  const e = await exposition(registry);
  expect(e.value('ml_inference_batch_size_sum', { model: 'm', runtime: 'onnxruntime-node' })).toBe(4);
  unpatch();
});

test('a rejection is passed on as the same object, and counted once as an error', async () => {
  const { ort, answers } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  const session = await ort.InferenceSession.create(new Uint8Array(1));
  const thrown = new RangeError('bad feeds');
  answers.error = thrown;
  await expect(session.run(feeds())).rejects.toBe(thrown);
  const notAnError = { reason: 'a runtime may reject with anything' };
  answers.error = notAnError;
  await expect(session.run(feeds())).rejects.toBe(notAnError);
  await expect(ort.InferenceSession.create('/models/broken.onnx')).rejects.toBe(notAnError);
  const e = await exposition(registry);
  expect(e.value('ml_inference_duration_seconds_count', { model: 'm', outcome: 'error' })).toBe(2);
  expect(e.value('ml_model_load_duration_seconds_count', { model: 'broken', outcome: 'error' })).toBe(1);
  expect(e.value('ml_inference_in_flight', { model: 'm' })).toBe(0);
  unpatch();
});

test('a synchronous throw stays synchronous, the same object', async () => {
  const { ort, answers } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  const session = await ort.InferenceSession.create(new Uint8Array(1));
  const thrown = new TypeError('sync');
  answers.error = thrown;
  answers.syncThrow = true;
  let caught: unknown;
  try {
    session.run(feeds());
  } catch (error) {
    caught = error;
  }
  expect(caught).toBe(thrown);
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'm', outcome: 'error' })).toBe(1);
  unpatch();
});

test('a result that is not a promise is returned as is, synchronously', async () => {
  const { ort, answers } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  const session = await ort.InferenceSession.create(new Uint8Array(1));
  answers.plain = { plain: true };
  expect(session.run(feeds())).toBe(answers.plain);
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'm', outcome: 'success' })).toBe(1);
  unpatch();
});

test('wrappers keep the name and length of the functions they wrap', () => {
  const { ort } = standInOrt();
  const { create } = ort.InferenceSession;
  const { run } = ort.InferenceSession.prototype;
  const unpatch = instrumentOnnxRuntime(ort, { registry: newRegistry() });
  expect(ort.InferenceSession.create).not.toBe(create);
  expect(ort.InferenceSession.create.name).toBe(create.name);
  expect(ort.InferenceSession.create.length).toBe(create.length);
  expect(ort.InferenceSession.prototype.run.name).toBe(run.name);
  expect(Object.getOwnPropertyDescriptor(ort.InferenceSession.prototype, 'run')!.enumerable).toBe(false);
  unpatch();
});

test('unpatch under another library\'s wrapper: that wrapper stays and works, nothing more is recorded', async () => {
  const { ort, calls } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  const ours = ort.InferenceSession.prototype.run;
  const theirs = function run(this: unknown, ...args: unknown[]) {
    return Reflect.apply(ours, this, args);
  };
  ort.InferenceSession.prototype.run = theirs;
  const session = await ort.InferenceSession.create(new Uint8Array(1));
  await session.run(feeds());
  unpatch();
  expect(ort.InferenceSession.prototype.run).toBe(theirs);
  await session.run(feeds());
  expect(calls.filter((c) => c.self === session)).toHaveLength(2);
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'm', outcome: 'success' })).toBe(1);
  // Instrumenting again wraps the current function (theirs), once.
  const again = instrumentOnnxRuntime(ort, { registry, modelName: 'm' });
  await session.run(feeds());
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'm', outcome: 'success' })).toBe(2);
  again();
  expect(ort.InferenceSession.prototype.run).toBe(theirs);
});

test('a session created before instrumentation is recorded under the fallback name', async () => {
  const { ort } = standInOrt();
  const early = await ort.InferenceSession.create('/models/early.onnx');
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, { registry, modelName: 'legacy' });
  await early.run(feeds());
  expect((await exposition(registry)).value('ml_inference_duration_seconds_count', { model: 'legacy', outcome: 'success' })).toBe(1);
  unpatch();
});

test('a modelName function that throws falls back to the default name, and the load goes on', async () => {
  const { ort } = standInOrt();
  const registry = newRegistry();
  const unpatch = instrumentOnnxRuntime(ort, {
    registry,
    modelName: () => {
      throw new Error('user bug');
    },
  });
  await ort.InferenceSession.create('/srv/models/digits.v2.onnx');
  expect((await exposition(registry)).value('ml_model_load_duration_seconds_count', { model: 'digits.v2', outcome: 'success' })).toBe(1);
  unpatch();
});

describe('instrumentTfjs on stand-in modules', () => {
  function standInTf() {
    const calls: Call[] = [];
    class LayersModel {
      name = 'own-name';
      predict(...args: unknown[]): unknown {
        calls.push({ self: this, args });
        return { shape: [1] };
      }
    }
    const tf = {
      LayersModel,
      loadLayersModel: async (...args: unknown[]) => {
        calls.push({ self: undefined, args });
        return new LayersModel();
      },
      getBackend: () => 'tensorflow',
    };
    return { tf: tf as TfjsModule & typeof tf, calls };
  }

  test('the native backend is labelled tfjs-node; a loader on the module object itself is wrapped there', async () => {
    const { tf, calls } = standInTf();
    const registry = newRegistry();
    const unpatch = instrumentTfjs(tf, { registry });
    const model = await tf.loadLayersModel('file:///srv/models/iris/model.json', { strict: true });
    expect(calls[0]!.args).toEqual(['file:///srv/models/iris/model.json', { strict: true }]);
    const x = { shape: [16, 4] };
    model.predict(x, { batchSize: 4 });
    expect(calls[1]!.self).toBe(model);
    expect(calls[1]!.args[0]).toBe(x);
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'iris', runtime: 'tfjs-node', outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_batch_size_sum', { model: 'iris', runtime: 'tfjs-node' })).toBe(16);
    unpatch();
  });

  test('a loader given as a live binding with a setter (as import-in-the-middle hands a hook) is replaced through it', async () => {
    const { tf } = standInTf();
    const original = tf.loadLayersModel;
    let binding = original;
    const namespace = { LayersModel: tf.LayersModel } as unknown as TfjsModule & { loadLayersModel: typeof original };
    Object.defineProperty(namespace, 'loadLayersModel', {
      enumerable: true,
      get: () => binding,
      set: (value: typeof original) => {
        binding = value;
      },
    });
    const registry = newRegistry();
    const unpatch = instrumentTfjs(namespace, { registry });
    expect(binding).not.toBe(original);
    expect(instrumentTfjs(namespace, { registry })).toBe(unpatch);
    const model = await namespace.loadLayersModel('/srv/models/iris/model.json');
    model.predict({ shape: [3, 4] });
    const e = await exposition(registry);
    expect(e.value('ml_model_load_duration_seconds_count', { model: 'iris', outcome: 'success' })).toBe(1);
    expect(e.value('ml_inference_batch_size_sum', { model: 'iris' })).toBe(3);
    unpatch();
    expect(binding).toBe(original);
  });

  test('a module with nothing to instrument is refused', () => {
    expect(() => instrumentTfjs({ version: {} } as TfjsModule)).toThrow(/^@promwire\/ml: instrumentTfjs expects/);
    expect(() => instrumentOnnxRuntime({} as OnnxRuntimeModule)).toThrow(/^@promwire\/ml: instrumentOnnxRuntime expects/);
  });
});

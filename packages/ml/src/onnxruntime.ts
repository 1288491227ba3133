/** Instrumentation of ONNX Runtime for Node (`onnxruntime-node`). */
import { optionError } from '@promwire/core/adapter';
import { onnxBatchSize } from './batch';
import { Instrumentation } from './instrumentation';
import { PKG, resolveMlOptions } from './options';
import type { MlMetricsOptions, OnnxRuntimeModule, Unpatch } from './types';
import { type LoadReader, asyncInference, load } from './wrappers';

/**
 * Records model loads (`InferenceSession.create`) and inferences (`session.run`) of ONNX Runtime
 * in the metrics of SPEC "ML inference", with `runtime="onnxruntime-node"` (`"onnxruntime-web"`
 * for that package's module):
 *
 * - `ml_model_load_duration_seconds{model, runtime, outcome}`: from `create` until the session is
 *   ready or the load failed;
 * - `ml_inference_duration_seconds{model, runtime, outcome}`: from `run` until its promise settles
 *   (the time the app waits, queueing in the runtime included);
 * - `ml_inference_in_flight{model, runtime}`: runs started and not settled;
 * - `ml_inference_batch_size{model, runtime}`: the first dimension of the first feed's tensor, for
 *   successful runs whose first feed has one.
 *
 * `model` is the model file's base name without extension (`models/iris.onnx` → `iris`); for a
 * model given as bytes, the session's `logId` option, else the `modelName` option, else
 * `unnamed`; a `modelName` function decides for every load. A failing load or run is counted
 * with `outcome="error"` and its error reaches the caller unchanged, as the same object; results
 * are the runtime's own objects.
 *
 * `InferenceSession.create` and `InferenceSession.prototype.run` are wrapped in place, so every
 * session of that module is covered, including those of libraries running on it
 * (transformers.js). Calling it again for the same module wraps nothing twice: the latest
 * options apply and the same `unpatch` is returned. Throws a `TypeError` prefixed
 * `@promwire/ml:` on bad options or a module without `InferenceSession`.
 *
 * @returns a function that removes the instrumentation and restores the original functions.
 * @example
 * const ort = require('onnxruntime-node');
 * const { instrumentOnnxRuntime } = require('@promwire/ml');
 * const unpatch = instrumentOnnxRuntime(ort, { registry });
 * const session = await ort.InferenceSession.create('models/iris.onnx'); // model="iris"
 */
export function instrumentOnnxRuntime(ort: OnnxRuntimeModule, options?: MlMetricsOptions): Unpatch {
  const resolved = resolveMlOptions('instrumentOnnxRuntime', options);
  const session = (ort as { InferenceSession?: unknown } | null | undefined)?.InferenceSession;
  const prototype = typeof session === 'function' ? (session as { prototype?: unknown }).prototype : undefined;
  if (typeof session !== 'function' || typeof prototype !== 'object' || prototype === null) {
    throw optionError(PKG, 'instrumentOnnxRuntime expects the onnxruntime-node module (with InferenceSession), as given by require or import');
  }
  const targets = [[session, 'create'], [prototype, 'run']] as const;
  const existing = Instrumentation.find(targets);
  if (existing !== undefined) {
    existing.reconfigure(resolved);
    return existing.unpatch;
  }
  const runtime = runtimeName(ort);
  const inst = new Instrumentation(resolved, (_, fallback) => ({ name: fallback, runtime }));
  const reader: LoadReader = {
    source: (args) => [args[0], sessionOptions(args)],
    ownName: (_, sessionOptions) => {
      const logId: unknown = (sessionOptions as { logId?: unknown } | undefined)?.logId;
      return typeof logId === 'string' ? logId : undefined;
    },
    runtime: () => runtime,
  };
  inst.wrap(session, 'create', (original) => load(inst, original, reader));
  inst.wrap(prototype, 'run', (original) => asyncInference(inst, original, onnxBatchSize));
  return inst.unpatch;
}

/** `create(path | bytes, options?)` or `create(buffer, byteOffset, byteLength?, options?)`: the options object. */
function sessionOptions(args: IArguments): object | undefined {
  for (let i = 1; i < args.length; i++) {
    const arg: unknown = args[i];
    if (typeof arg === 'object' && arg !== null) return arg;
  }
  return undefined;
}

function runtimeName(ort: OnnxRuntimeModule): string {
  const versions = ort.env?.versions;
  return versions?.web !== undefined && versions.node === undefined ? 'onnxruntime-web' : 'onnxruntime-node';
}

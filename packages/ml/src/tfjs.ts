/** Instrumentation of TensorFlow.js (`@tensorflow/tfjs`, `@tensorflow/tfjs-node`). */
import { optionError } from '@promwire/core/adapter';
import { tfjsBatchSize } from './batch';
import { Instrumentation } from './instrumentation';
import { nameFromPath } from './model-name';
import { resolveMlOptions, PKG } from './options';
import { replaceableOwner } from './module-owner';
import type { MlMetricsOptions, TfjsModule, Unpatch } from './types';
import { type LoadReader, asyncInference, load, syncInference } from './wrappers';

/** Methods of the model classes that run an inference, and whether they are asynchronous. */
const INFERENCE_METHODS: Readonly<Record<'LayersModel' | 'Sequential' | 'GraphModel', readonly (readonly [string, boolean])[]>> = {
  LayersModel: [['predict', false], ['predictOnBatch', false], ['execute', false]],
  Sequential: [['predict', false], ['predictOnBatch', false]],
  GraphModel: [['predict', false], ['execute', false], ['executeAsync', true]],
};
const LOADERS = ['loadLayersModel', 'loadGraphModel', 'loadGraphModelSync'] as const;

/**
 * Records model loads (`loadLayersModel`, `loadGraphModel`, `loadGraphModelSync`) and inferences
 * (`predict`, `predictOnBatch` and `execute` of LayersModel and Sequential models, `predict`,
 * `execute` and `executeAsync` of GraphModels) of TensorFlow.js in the metrics of SPEC
 * "ML inference", with `runtime="tfjs-node"` when the native backend runs them (the
 * `@tensorflow/tfjs-node` module, or the `tensorflow` backend), else `runtime="tfjs"`.
 * Synchronous calls are timed while they run, `executeAsync` until its promise settles. The batch
 * size is the first dimension of the first input tensor; a model calling another model inside
 * its own inference (a Sequential and its inner model, `predict` calling `execute`) is counted once.
 *
 * `model` is the model's folder for a `…/name/model.json` URL, else the file's base name without
 * extension; for a model loaded from an IOHandler or built in code, a LayersModel's own `name`
 * (`tf.sequential({ name: 'iris' })`), else the `modelName` option, else `unnamed`; a `modelName`
 * function decides for every load. Errors reach the caller unchanged and are counted with
 * `outcome="error"`; tensors are the runtime's own.
 *
 * The model classes' prototype methods are wrapped in place, so every model of that TF.js copy is
 * covered, whenever and however it was made. The loaders are wrapped where they are defined
 * (tfjs-layers and tfjs-converter, which `@tensorflow/tfjs` re-exports through getters): code that
 * took a loader from the module before this call keeps the original. Calling it again wraps
 * nothing twice: the latest options apply and the same `unpatch` is returned. Throws a
 * `TypeError` prefixed `@promwire/ml:` on bad options or a module with nothing to instrument.
 *
 * @returns a function that removes the instrumentation and restores the original functions.
 * @example
 * const tf = require('@tensorflow/tfjs');
 * const { instrumentTfjs } = require('@promwire/ml');
 * const unpatch = instrumentTfjs(tf, { registry });
 * const model = await tf.loadLayersModel('http://127.0.0.1:8080/iris/model.json'); // model="iris"
 */
export function instrumentTfjs(tf: TfjsModule, options?: MlMetricsOptions): Unpatch {
  const resolved = resolveMlOptions('instrumentTfjs', options);
  if (typeof tf !== 'object' || tf === null) throw notTfjs();
  const targets = targetsOf(tf);
  if (targets.length === 0) throw notTfjs();
  const existing = Instrumentation.find(targets.map(({ target, key }) => [target, key] as const));
  const runtime = runtimeOf(tf);
  const inst = existing ?? new Instrumentation(resolved, (model, fallback) => ({ name: ownName(model) ?? fallback, runtime: runtime() }));
  if (existing !== undefined) existing.reconfigure(resolved);
  const reader: LoadReader = {
    source: (args) => {
      const loadOptions: unknown = args[1];
      return [args[0], typeof loadOptions === 'object' && loadOptions !== null ? loadOptions : undefined];
    },
    ownName: (model) => (model === undefined ? undefined : ownName(model)),
    runtime,
  };
  // Wraps what is not wrapped yet (on a second call: parts of a module loaded since).
  for (const { target, key, kind } of targets) {
    inst.wrap(target, key, (original) =>
      kind === 'load' ? load(inst, original, reader) : (kind === 'async' ? asyncInference : syncInference)(inst, original, tfjsBatchSize),
    );
  }
  return inst.unpatch;
}

interface Target {
  target: object;
  key: string;
  kind: 'sync' | 'async' | 'load';
}

/** The functions of `tf` to wrap, where they can be replaced. */
function targetsOf(tf: TfjsModule): Target[] {
  const module = tf as Record<string, unknown>;
  const targets: Target[] = [];
  for (const [cls, methods] of Object.entries(INFERENCE_METHODS)) {
    const prototype = prototypeOf(module[cls]);
    if (prototype === undefined) continue;
    for (const [key, async] of methods) targets.push({ target: prototype, key, kind: async ? 'async' : 'sync' });
  }
  for (const key of LOADERS) {
    if (typeof module[key] !== 'function') continue;
    // A live binding with a setter (import-in-the-middle's) is replaced through it, for ES module
    // importers; the defining CommonJS exports too, for require() callers.
    if (Object.getOwnPropertyDescriptor(tf, key)?.set !== undefined) targets.push({ target: tf, key, kind: 'load' });
    const owner = replaceableOwner(tf, key);
    if (owner !== undefined && owner !== tf) targets.push({ target: owner, key, kind: 'load' });
    else if (owner === tf && !targets.some((t) => t.target === tf && t.key === key)) targets.push({ target: tf, key, kind: 'load' });
  }
  return targets;
}

/** A model's own name: a LayersModel's `name`, a GraphModel's URL. */
function ownName(model: unknown): string | undefined {
  if (typeof model !== 'object' || model === null) return undefined;
  const url: unknown = (model as { modelUrl?: unknown }).modelUrl;
  if (typeof url === 'string') return nameFromPath(url);
  const name: unknown = (model as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** `tfjs-node` for the native backend, else `tfjs`; read when a model is first seen. */
function runtimeOf(tf: TfjsModule): () => string {
  if (tf.version?.['tfjs-node'] !== undefined) return () => 'tfjs-node';
  return () => {
    try {
      return tf.getBackend?.() === 'tensorflow' ? 'tfjs-node' : 'tfjs';
    } catch {
      return 'tfjs';
    }
  };
}

function prototypeOf(cls: unknown): object | undefined {
  const prototype: unknown = typeof cls === 'function' ? (cls as { prototype?: unknown }).prototype : undefined;
  return typeof prototype === 'object' && prototype !== null ? prototype : undefined;
}

function notTfjs(): TypeError {
  return optionError(PKG, 'instrumentTfjs expects the @tensorflow/tfjs (or tfjs-node, tfjs-layers, tfjs-converter) module, as given by require or import');
}
